import { generateDeviceIdentity, type DeviceIdentity } from '@meetplane/e2ee';

/**
 * This browser's device identity for end-to-end meetings, one per signed-in
 * user of an organisation. Its private keys are generated non-extractable and
 * kept in IndexedDB as CryptoKey objects (structured clones): the page can use
 * them to sign and to open envelopes, but no script can read their bytes, and
 * they never leave the browser. Only the registration (public keys, self-signed)
 * is sent to the server.
 */
const DB_NAME = 'meetplane-e2ee';
const STORE = 'devices';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB cannot be opened'));
  });
}

function inStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return openDb().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = act(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        tx.onerror = () => {
          db.close();
          reject(tx.error ?? new Error('IndexedDB transaction failed'));
        };
      }),
  );
}

function isIdentity(value: unknown): value is DeviceIdentity {
  const v = value as Partial<DeviceIdentity> | undefined;
  return (
    typeof v?.deviceId === 'string' &&
    v.hpkePrivateKey instanceof CryptoKey &&
    v.signingPrivateKey instanceof CryptoKey &&
    typeof v.registration?.signature === 'string'
  );
}

export async function loadDevice(owner: string): Promise<DeviceIdentity | undefined> {
  const stored = await inStore('readonly', (s) => s.get(owner) as IDBRequest<unknown>);
  return isIdentity(stored) ? stored : undefined;
}

export async function saveDevice(owner: string, identity: DeviceIdentity): Promise<void> {
  await inStore('readwrite', (s) => s.put(identity, owner));
}

/** The stored identity of `owner` (e.g. `<org>/<user sub>`), or a new non-extractable one, stored. */
export async function loadOrCreateDevice(owner: string): Promise<DeviceIdentity> {
  const existing = await loadDevice(owner);
  if (existing) return existing;
  return replaceDevice(owner);
}

/** A fresh identity under a new device id, stored in place of the old one. */
export async function replaceDevice(owner: string): Promise<DeviceIdentity> {
  const identity = await generateDeviceIdentity({ extractable: false });
  await saveDevice(owner, identity);
  return identity;
}
