import {
  DEFAULT_KEY_RING_SIZE,
  E2eeError,
  deviceFingerprint,
  fromBase64Url,
  toBase64Url,
  generateMediaKey,
  isNewerEpoch,
  keyIndexForEpoch,
  meetingSecurityCode,
  openMediaKey,
  openMessage,
  sealMediaKeyForDevices,
  sealMessage,
  verifyDeviceRegistration,
  type DeviceIdentity,
  type DeviceRegistration,
  type SealedMessage,
} from '@meetplane/e2ee';
import { ApiProblem, type ApiClient } from '../../api/client.js';

/**
 * The browser side of an end-to-end meeting (docs/e2ee.md), for one key scope:
 * the main room (scope = the meeting id) or one breakout
 * (scope = `<meetingId>-<breakoutId>`).
 *
 * - A participant fetches its own envelope of each epoch it hears of, checks
 *   the sender's signed registration (and its pin), opens the key and hands it
 *   to LiveKit through `setEpochKey`.
 * - The host's client makes every epoch's key itself: it lists the devices
 *   bound to the meeting, checks each registration, seals one envelope per
 *   device and uploads them; again when a device arrives (same key) or the
 *   server announces a new epoch (a fresh key). While breakouts are open it
 *   also keys each breakout's scope for that breakout's members.
 *
 * Every participant shows the security code of the epoch in use; it changes
 * with every epoch, so when someone leaves.
 */

export type KeyScope =
  | { readonly kind: 'main' }
  | { readonly kind: 'breakout'; readonly breakoutId: string; readonly scope: string };

/** What the server announces on the data topic `meetplane.epoch`. */
export interface EpochAnnouncement {
  readonly epoch: number;
  readonly rekey?: boolean;
  readonly mode?: string;
  readonly breakoutId?: string;
}
export const EPOCH_TOPIC = 'meetplane.epoch';

/** A breakout the host's client keys: its id, key scope and the participants in it. */
export interface KeyedBreakout {
  readonly id: string;
  readonly scope: string;
  readonly members: readonly string[];
}

export interface SealedDevice {
  readonly participantId: string;
  readonly deviceId: string;
  readonly fingerprint: string;
}

export interface E2eeState {
  /** The epoch whose key is installed, once there is one. */
  readonly epoch?: number;
  readonly securityCode?: string;
  /** Fingerprint of the signing key that sealed the key in use (the host's device). */
  readonly senderFingerprint?: string;
  /** Waiting for an envelope of this epoch. */
  readonly waitingFor?: number;
  /** The sealing device differs from the one first seen in this meeting: compare the code again. */
  readonly senderChanged: boolean;
  /** Host: the devices the current key was sealed to. */
  readonly devices: readonly SealedDevice[];
  /** An envelope or registration was refused (E2eeError code); the key was not used. */
  readonly refused?: string;
}

export interface E2eeEngineOptions {
  readonly api: ApiClient;
  readonly meetingId: string;
  readonly device: DeviceIdentity;
  readonly isHost: boolean;
  readonly scope?: KeyScope;
  /** Installs an epoch's key in the LiveKit room at its key index. */
  readonly setEpochKey: (epoch: number, keyIndex: number, key: Uint8Array) => void | Promise<void>;
  readonly keyRingSize?: number;
  /**
   * The host's client tells the room of a new epoch the server announced
   * elsewhere (a leave of a breakout: only the hosts hear of it in the main
   * room), so that participants fetch the key it makes for the main room.
   */
  readonly tellRoom?: (message: EpochAnnouncement) => void;
  /** How long to wait between attempts to fetch an envelope not there yet. */
  readonly retryMs?: number;
}

interface HeldKey {
  readonly epoch: number;
  readonly key: Uint8Array;
  readonly senderSigningKey: string;
}

const KEEP_EPOCHS = 6;

export class E2eeEngine {
  readonly scope: KeyScope;
  readonly scopeId: string;
  private readonly keys = new Map<number, HeldKey>();
  private state: E2eeState = { senderChanged: false, devices: [] };
  private readonly listeners = new Set<(state: E2eeState) => void>();
  private target: number | undefined;
  private fetching = false;
  private stopped = false;
  private pinnedSender: string | undefined;
  /** The participant whose device sealed the key in use: the only participant whose epoch announcements count. */
  private keySender: string | undefined;
  private pendingSender: string | undefined;
  // Host only.
  private queue: Promise<void> = Promise.resolve();
  private sealedTo = new Set<string>();
  private breakouts: readonly KeyedBreakout[] = [];
  private readonly breakoutKeys = new Map<string, { epoch: number; key: Uint8Array; sealedTo: Set<string> }>();
  private readonly breakoutListeners = new Set<(breakoutId: string, epoch: number, key: Uint8Array) => void>();
  private readonly timers = new Map<ReturnType<typeof setTimeout>, () => void>();

  constructor(private readonly options: E2eeEngineOptions) {
    this.scope = options.scope ?? { kind: 'main' };
    this.scopeId = this.scope.kind === 'main' ? options.meetingId : this.scope.scope;
  }

  get device(): DeviceIdentity {
    return this.options.device;
  }

  getState(): E2eeState {
    return this.state;
  }

  subscribe(listener: (state: E2eeState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(patch: Partial<E2eeState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }

  /** Begins with the epoch the join (or the breakout grant) named. */
  start(epoch: number): void {
    if (this.options.isHost && this.scope.kind === 'main') this.enqueue(async () => void (await this.rekeyMain(epoch)));
    else this.want(epoch);
  }

  /** A pause that ends early when the engine stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      if (this.stopped) return done();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        done();
      }, ms);
      this.timers.set(timer, done);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const [timer, done] of this.timers) {
      clearTimeout(timer);
      done();
    }
    this.timers.clear();
    this.listeners.clear();
    this.breakoutListeners.clear();
  }

  /**
   * A `meetplane.epoch` announcement of the room this engine's scope is in:
   * from the server (`from` undefined), or from the participant whose device
   * seals the keys; anyone else's is ignored, so a participant cannot send the
   * others chasing an epoch that will never come.
   */
  announce(message: EpochAnnouncement, from?: string): void {
    if (!Number.isSafeInteger(message.epoch) || message.epoch < 0) return;
    if (from !== undefined && (this.options.isHost || from !== this.keySender)) return;
    if (this.options.isHost && this.scope.kind === 'main') {
      // A breakout's leave (named) or any other new epoch: the counter is the meeting's, so every scope moves on.
      this.enqueue(async () => {
        const rekeyed = await this.rekeyMain(message.epoch);
        // Nobody in the main room heard of an epoch a breakout began: tell them, once its key is sealed.
        if (rekeyed && message.breakoutId !== undefined) this.options.tellRoom?.({ epoch: message.epoch, rekey: true });
      });
      return;
    }
    if (message.breakoutId === undefined) this.want(message.epoch);
  }

  /** Asks for the key of `epoch` (and uses it once it arrives), unless a newer one is in use already. */
  want(epoch: number): void {
    if (this.stopped || !isNewerEpoch(epoch, this.state.epoch)) return;
    if (this.target === undefined || epoch > this.target) this.target = epoch;
    if (!this.fetching) void this.fetchLoop();
  }

  /** The host's client: a device may have arrived; seal the current keys to any device not sealed to yet. */
  refreshDevices(): void {
    if (this.options.isHost && this.scope.kind === 'main') this.enqueue(() => this.distribute(false));
  }

  /** The host's client: the open breakouts to key (an empty list once they close). */
  setBreakouts(rooms: readonly KeyedBreakout[]): void {
    if (!this.options.isHost || this.scope.kind !== 'main') return;
    const ids = new Set(rooms.map((r) => r.id));
    for (const id of this.breakoutKeys.keys()) if (!ids.has(id)) this.breakoutKeys.delete(id);
    this.breakouts = rooms;
    this.enqueue(() => this.distribute(false));
  }

  /** The host's key for a breakout (to visit it), and every later one. */
  onBreakoutKey(listener: (breakoutId: string, epoch: number, key: Uint8Array) => void): () => void {
    this.breakoutListeners.add(listener);
    for (const [id, held] of this.breakoutKeys) listener(id, held.epoch, held.key);
    return () => this.breakoutListeners.delete(listener);
  }

  /** The media key this device holds for an epoch of this scope, if it still keeps it. */
  keyOf(epoch: number): Uint8Array | undefined {
    return this.keys.get(epoch)?.key;
  }

  /** Chat: a text sealed with the current epoch's key, as JSON `{epoch, iv, ct}`. */
  async encrypt(text: string): Promise<string> {
    const epoch = this.state.epoch;
    const held = epoch === undefined ? undefined : this.keys.get(epoch);
    if (!held) throw new E2eeError('mismatch', 'no key yet to encrypt with');
    return JSON.stringify(await sealMessage({ scope: this.scopeId, epoch: held.epoch, mediaKey: held.key, text }));
  }

  /** Chat: the text of a sealed message, or an E2eeError when this device has no key that opens it. */
  async decrypt(payload: string): Promise<string> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      throw new E2eeError('malformed', 'not a sealed message');
    }
    return openMessage(parsed, { scope: this.scopeId, keyOf: (e) => this.keyOf(e) });
  }

  /**
   * The host's message to every open breakout, sealed for each breakout's
   * scope: base64url of `{v: 1, rooms: {<breakoutId>: {epoch, iv, ct}}}`, the
   * `ciphertext` of `POST …/breakouts/broadcast`.
   */
  async sealForBreakouts(text: string): Promise<string> {
    const rooms: Record<string, SealedMessage> = {};
    for (const room of this.breakouts) {
      const held = this.breakoutKeys.get(room.id);
      if (held) rooms[room.id] = await sealMessage({ scope: room.scope, epoch: held.epoch, mediaKey: held.key, text });
    }
    return toBase64Url(new TextEncoder().encode(JSON.stringify({ v: 1, rooms })));
  }

  /** In a breakout: the text of the host's sealed broadcast. */
  async openBroadcast(ciphertext: string): Promise<string> {
    if (this.scope.kind !== 'breakout') throw new E2eeError('mismatch', 'broadcasts reach breakouts only');
    let sealed: unknown;
    try {
      const parsed = JSON.parse(new TextDecoder().decode(fromBase64Url(ciphertext))) as { rooms?: Record<string, unknown> };
      sealed = parsed.rooms?.[this.scope.breakoutId];
    } catch {
      throw new E2eeError('malformed', 'not a sealed broadcast');
    }
    return openMessage(sealed, { scope: this.scopeId, keyOf: (e) => this.keyOf(e) });
  }

  // ── participants ────────────────────────────────────────────────────────

  private async fetchLoop(): Promise<void> {
    this.fetching = true;
    try {
      let delay = this.options.retryMs ?? 700;
      while (!this.stopped && this.target !== undefined && isNewerEpoch(this.target, this.state.epoch)) {
        const epoch = this.target;
        this.update({ waitingFor: epoch });
        const envelope = await this.fetchEnvelope(epoch);
        if (this.stopped) return;
        if (envelope === undefined) {
          if (this.target !== epoch) continue;
          await this.sleep(delay);
          delay = Math.min(delay * 1.5, 3000);
          continue;
        }
        try {
          const sender = await this.senderRegistration(envelope);
          const key = await openMediaKey(envelope, {
            meetingId: this.scopeId,
            epoch,
            recipient: this.options.device,
            senderRegistration: sender,
          });
          if (this.target === epoch || isNewerEpoch(epoch, this.state.epoch)) await this.install(epoch, key, sender);
          delay = this.options.retryMs ?? 700;
        } catch (error) {
          // A refused envelope is never used; keep asking (the host may seal again), and say why.
          this.update({ refused: error instanceof E2eeError ? error.code : 'error' });
          await this.sleep(2000);
        }
      }
    } finally {
      this.fetching = false;
    }
  }

  private async fetchEnvelope(epoch: number): Promise<unknown> {
    const { api, meetingId, device } = this.options;
    try {
      if (this.scope.kind === 'breakout') {
        const { data } = await api.GET('/v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope', {
          params: {
            path: { meetingId, breakoutId: this.scope.breakoutId, epoch: String(epoch) },
            query: { deviceId: device.deviceId },
          },
        });
        return data;
      }
      const { data } = await api.GET('/v1/meetings/{meetingId}/epochs/{epoch}/envelope', {
        params: { path: { meetingId, epoch: String(epoch) }, query: { deviceId: device.deviceId } },
      });
      return data;
    } catch (error) {
      // The epoch is over (409): the server names the current one, which the host's client seals; ask for that.
      // A join can miss the announcements of epochs that began while it connected (the whole room rejoining after
      // an upgrade), and only the key sender's own announcements count: this is how such a page catches up.
      const current = error instanceof ApiProblem && error.status === 409 ? error.extensions.currentEpoch : undefined;
      if (typeof current === 'number' && Number.isSafeInteger(current)) this.want(current);
      // Not sealed yet (404), or the epoch is not current any more (409): ask again shortly.
      if (error instanceof ApiProblem && (error.status === 404 || error.status === 409 || error.status >= 500)) return undefined;
      if (error instanceof TypeError) return undefined; // the network
      throw error;
    }
  }

  private async senderRegistration(envelope: unknown): Promise<DeviceRegistration> {
    const senderDeviceId = (envelope as { senderDeviceId?: unknown })?.senderDeviceId;
    if (typeof senderDeviceId !== 'string') throw new E2eeError('malformed', 'envelope names no sender');
    if (senderDeviceId === this.options.device.deviceId) return this.options.device.registration;
    const { data } = await this.options.api.GET('/v1/meetings/{meetingId}/devices/{deviceId}/registration', {
      params: { path: { meetingId: this.options.meetingId, deviceId: senderDeviceId } },
    });
    const verified = await verifyDeviceRegistration(data?.registration);
    this.pendingSender = data?.participantId;
    return verified.registration;
  }

  private async install(epoch: number, key: Uint8Array, sender: DeviceRegistration): Promise<void> {
    const ring = this.options.keyRingSize ?? DEFAULT_KEY_RING_SIZE;
    await this.options.setEpochKey(epoch, keyIndexForEpoch(epoch, ring), key);
    this.keys.set(epoch, { epoch, key, senderSigningKey: sender.signingPublicKey });
    for (const old of [...this.keys.keys()].sort((a, b) => b - a).slice(KEEP_EPOCHS)) this.keys.delete(old);
    if (!this.options.isHost && this.pendingSender) this.keySender = this.pendingSender;
    const senderChanged = this.pinnedSender !== undefined && this.pinnedSender !== sender.signingPublicKey;
    this.pinnedSender ??= sender.signingPublicKey;
    const [securityCode, senderFingerprint] = await Promise.all([
      meetingSecurityCode({ meetingId: this.scopeId, epoch, mediaKey: key, senderSigningPublicKey: sender.signingPublicKey }),
      deviceFingerprint(sender),
    ]);
    this.update({
      epoch,
      securityCode,
      senderFingerprint,
      senderChanged: this.state.senderChanged || senderChanged,
      refused: undefined,
      waitingFor: this.target !== undefined && this.target > epoch ? this.target : undefined,
    });
  }

  // ── the host's client ───────────────────────────────────────────────────

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue
      .then(() => (this.stopped ? undefined : task()))
      .catch(() => {
        // Try again shortly: the next announcement or arrival also does.
        if (!this.stopped) void this.sleep(1500).then(() => this.enqueue(() => this.distribute(false)));
      });
  }

  private async rekeyMain(epoch: number): Promise<boolean> {
    if (!isNewerEpoch(epoch, this.state.epoch)) return false;
    const key = generateMediaKey();
    await this.install(epoch, key, this.options.device.registration);
    this.sealedTo = new Set();
    // Every scope's epoch is the meeting's: breakouts get fresh keys too (someone may have left one).
    this.breakoutKeys.clear();
    await this.distribute(true);
    return true;
  }

  private async listDevices() {
    const { data } = await this.options.api.GET('/v1/meetings/{meetingId}/devices', {
      params: { path: { meetingId: this.options.meetingId } },
    });
    if (!data) throw new Error('no device list');
    return data;
  }

  /** Seals the current keys to every bound device not sealed to yet (all of them when `all`). */
  private async distribute(all: boolean): Promise<void> {
    const epoch = this.state.epoch;
    if (epoch === undefined) return;
    const listed = await this.listDevices();
    if (listed.epoch > epoch) {
      if (await this.rekeyMain(listed.epoch)) this.options.tellRoom?.({ epoch: listed.epoch, rekey: true });
      return;
    }
    if (listed.epoch < epoch) return;
    const current = this.keys.get(epoch);
    if (!current) return;
    const items = listed.items;
    this.update({
      devices: await Promise.all(
        items.map(async (i) => ({
          participantId: i.participantId,
          deviceId: i.registration.deviceId,
          fingerprint: await deviceFingerprint(i.registration).catch(() => '?'),
        })),
      ),
    });
    const fresh = items.filter((i) => all || !this.sealedTo.has(i.registration.deviceId));
    if (fresh.length > 0) {
      await this.upload(
        this.options.meetingId,
        epoch,
        current.key,
        fresh.map((i) => i.registration),
        (envelopes) =>
          this.options.api.PUT('/v1/meetings/{meetingId}/epochs/{epoch}/envelopes', {
            params: { path: { meetingId: this.options.meetingId, epoch: String(epoch) } },
            body: { envelopes },
          }),
      );
      for (const i of fresh) this.sealedTo.add(i.registration.deviceId);
    }
    for (const room of this.breakouts) {
      let held = this.breakoutKeys.get(room.id);
      if (!held || held.epoch !== epoch) {
        held = { epoch, key: generateMediaKey(), sealedTo: new Set() };
        this.breakoutKeys.set(room.id, held);
        for (const listener of this.breakoutListeners) listener(room.id, epoch, held.key);
      }
      const members = new Set(room.members);
      const sealedTo = held.sealedTo;
      // Its members, and this host device, so that the host can visit the breakout.
      const own = this.options.device.deviceId;
      const recipients = items.filter(
        (i) => (members.has(i.participantId) || i.registration.deviceId === own) && !sealedTo.has(i.registration.deviceId),
      );
      if (recipients.length === 0) continue;
      await this.upload(
        room.scope,
        epoch,
        held.key,
        recipients.map((i) => i.registration),
        (envelopes) =>
          this.options.api.PUT('/v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes', {
            params: { path: { meetingId: this.options.meetingId, breakoutId: room.id, epoch: String(epoch) } },
            body: { envelopes },
          }),
      );
      for (const i of recipients) sealedTo.add(i.registration.deviceId);
    }
  }

  private async upload(
    scope: string,
    epoch: number,
    key: Uint8Array,
    recipients: DeviceRegistration[],
    put: (envelopes: Awaited<ReturnType<typeof sealMediaKeyForDevices>>['envelopes']) => Promise<unknown>,
  ): Promise<void> {
    const { envelopes } = await sealMediaKeyForDevices({
      meetingId: scope,
      epoch,
      mediaKey: key,
      recipients,
      sender: this.options.device,
    });
    if (envelopes.length === 0) return;
    try {
      await put(envelopes);
    } catch (error) {
      // 409: the epoch moved on (its announcement follows); 400: someone left meanwhile. Both: list again.
      if (error instanceof ApiProblem && (error.status === 409 || error.status === 400)) {
        await this.sleep(400);
        const listed = await this.listDevices();
        if (listed.epoch !== epoch) {
          if (await this.rekeyMain(listed.epoch)) this.options.tellRoom?.({ epoch: listed.epoch, rekey: true });
          return;
        }
        const bound = new Set(listed.items.map((i) => i.registration.deviceId));
        const still = envelopes.filter((e) => bound.has(e.recipientDeviceId));
        if (still.length > 0) await put(still);
        return;
      }
      throw error;
    }
  }
}
