import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * The dev identity provider's storage: in memory, gone when it stops (as the
 * local stack's databases are). Each model (sessions, codes, tokens, grants)
 * gets its own adapter over one shared store; expired entries are dropped
 * when read.
 */
const store = new Map<string, { payload: AdapterPayload; expiresAt?: number }>();
const secondary = new Map<string, string>();

export class MemoryAdapter implements Adapter {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    store.set(key, { payload, ...(expiresIn !== undefined && { expiresAt: Date.now() + expiresIn * 1000 }) });
    if (payload.grantId) secondary.set(`grant:${payload.grantId}:${key}`, key);
    if (payload.userCode) secondary.set(`userCode:${payload.userCode}`, key);
    if (payload.uid) secondary.set(`uid:${payload.uid}`, key);
    await Promise.resolve();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.read(this.key(id)));
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const key = secondary.get(`userCode:${userCode}`);
    return Promise.resolve(key ? this.read(key) : undefined);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const key = secondary.get(`uid:${uid}`);
    return Promise.resolve(key ? this.read(key) : undefined);
  }

  consume(id: string): Promise<void> {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    store.delete(this.key(id));
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    for (const [name, key] of secondary) {
      if (!name.startsWith(`grant:${grantId}:`)) continue;
      store.delete(key);
      secondary.delete(name);
    }
    return Promise.resolve();
  }

  private read(key: string): AdapterPayload | undefined {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  }
}
