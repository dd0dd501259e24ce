import type { DeviceIdentity } from '@meetplane/e2ee';
import { Room, RoomEvent, VideoPresets } from 'livekit-client';
import type { ApiClient } from '../../api/client';
import { attachE2ee, EpochKeyProvider, encryptedRoomOptions, type E2eeEngine, type KeyScope } from '../e2ee';
import type { MediaGrant, MyBreakout, RoomTarget } from './follower';

/** One LiveKit room of the meeting this client is connected to, with the key engine of its scope. */
export interface ConnectedRoom {
  readonly room: Room;
  readonly scope: KeyScope;
  /** End-to-end meetings: the engine of this room's key scope. */
  readonly engine?: E2eeEngine;
  readonly breakout?: RoomTarget['breakout'];
  /** A host visiting a breakout (the main room stays connected behind it). */
  readonly visiting: boolean;
}

export interface MeetingRoomsOptions {
  readonly api: ApiClient;
  readonly meetingId: string;
  readonly isHost: boolean;
  /** The device joined with, in an end-to-end meeting. */
  readonly device?: DeviceIdentity;
  /** Publish camera and microphone in every room entered. */
  readonly publish?: boolean;
  /** Called whenever the room shown changes. */
  readonly onChange?: (shown: ConnectedRoom) => void;
  /** The server turned the meeting end-to-end. */
  readonly onUpgraded?: (epoch: number) => void;
}

const base64ToBytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/**
 * The rooms of a meeting as one client sees them: the main room, a breakout
 * it was sent to, or one its host visits. Each room is a LiveKit Room of its
 * own with a key provider of its own; every frame is encrypted (a standard
 * meeting's key comes in the grant; an end-to-end meeting's from envelopes,
 * through an E2eeEngine of the room's key scope). Entering a room connects to
 * it before leaving the one before, so the device stays bound.
 */
export class MeetingRooms {
  private shownRoom: ConnectedRoom | undefined;
  private main: ConnectedRoom | undefined;

  constructor(private readonly options: MeetingRoomsOptions) {}

  get shown(): ConnectedRoom | undefined {
    return this.shownRoom;
  }

  /** The host's engine of the main room: it keys every scope. */
  get mainEngine(): E2eeEngine | undefined {
    return this.main?.engine;
  }

  /** Connects to a room of the meeting; `scope` says which key scope it is in. */
  private async connect(target: RoomTarget, visiting: boolean): Promise<ConnectedRoom> {
    const { grant } = target;
    const e2ee = grant.encryption.mode === 'e2ee';
    const keyProvider = new EpochKeyProvider();
    const room = new Room({
      ...encryptedRoomOptions(keyProvider),
      adaptiveStream: false,
      dynacast: false,
      // Small and single-layer: a meeting room shows tiles, and browsers share the machine.
      videoCaptureDefaults: { resolution: VideoPresets.h180.resolution },
      publishDefaults: { simulcast: false, videoEncoding: VideoPresets.h180.encoding },
    });
    const scope: KeyScope = target.breakout
      ? { kind: 'breakout', breakoutId: target.breakout.id, scope: target.breakout.scope }
      : { kind: 'main' };
    let engine: E2eeEngine | undefined;
    if (e2ee) {
      if (!this.options.device) throw new Error('an end-to-end meeting needs a registered device');
      engine = attachE2ee({
        api: this.options.api,
        meetingId: this.options.meetingId,
        device: this.options.device,
        // In a breakout everyone fetches the key the host's client sealed, the host visiting too.
        isHost: this.options.isHost && scope.kind === 'main',
        room,
        epoch: grant.encryption.epoch,
        scope,
        setEpochKey: (epoch, index, key) => keyProvider.setEpochKey(epoch, index, key),
        ...(this.options.onUpgraded && { onUpgraded: this.options.onUpgraded }),
      });
    } else if (grant.encryption.key) {
      await keyProvider.setEpochKey(grant.encryption.epoch, grant.encryption.keyIndex, base64ToBytes(grant.encryption.key));
      this.followStandardKeys(room, keyProvider, target, grant.encryption.epoch);
    }
    await room.setE2EEEnabled(true);
    try {
      await room.connect(grant.media.url, grant.media.token, { autoSubscribe: true });
      if (this.options.publish !== false) await room.localParticipant.enableCameraAndMicrophone();
    } catch (error) {
      engine?.stop();
      await room.disconnect().catch(() => undefined);
      throw error;
    }
    room.once(RoomEvent.Disconnected, () => {
      if (this.shownRoom?.room !== room && this.main?.room !== room) engine?.stop();
    });
    return { room, scope, ...(engine && { engine }), ...(target.breakout && { breakout: target.breakout }), visiting };
  }

  /**
   * A standard meeting's keys come from the server (KMS): at each new epoch
   * announced in the room, the main room's key from `GET …/key`, a breakout's
   * from `GET …/breakouts/mine`.
   */
  private followStandardKeys(room: Room, keyProvider: EpochKeyProvider, target: RoomTarget, first: number): void {
    let current = first;
    const { api, meetingId } = this.options;
    const onData = (payload: Uint8Array, from?: unknown, _kind?: unknown, topic?: string) => {
      if (topic !== 'meetplane.epoch' || from !== undefined) return;
      let epoch: number;
      try {
        const message = JSON.parse(new TextDecoder().decode(payload)) as { epoch: number; mode?: string };
        epoch = message.epoch;
        // The host turned the meeting end-to-end: keys come from the host's client from now on.
        if (message.mode === 'e2ee') return this.options.onUpgraded?.(epoch);
      } catch {
        return;
      }
      if (!Number.isSafeInteger(epoch) || epoch <= current) return;
      void (async () => {
        if (target.breakout) {
          const { data } = await api.GET('/v1/meetings/{meetingId}/breakouts/mine', { params: { path: { meetingId } } });
          const e = data?.breakout?.id === target.breakout.id ? data.join?.encryption : undefined;
          if (e?.key && e.epoch > current) {
            current = e.epoch;
            await keyProvider.setEpochKey(e.epoch, e.keyIndex, base64ToBytes(e.key));
          }
          return;
        }
        const { data } = await api.GET('/v1/meetings/{meetingId}/key', {
          params: { path: { meetingId }, query: { epoch: String(epoch) } },
        });
        if (data && data.epoch > current) {
          current = data.epoch;
          await keyProvider.setEpochKey(data.epoch, data.keyIndex, base64ToBytes(data.key));
        }
      })().catch(() => undefined);
    };
    room.on(RoomEvent.DataReceived, onData);
    room.once(RoomEvent.Disconnected, () => room.off(RoomEvent.DataReceived, onData));
  }

  private show(connected: ConnectedRoom): void {
    this.shownRoom = connected;
    this.options.onChange?.(connected);
  }

  /** First connection: the main room with the join's grant. */
  async start(grant: MediaGrant): Promise<ConnectedRoom> {
    const connected = await this.connect({ grant }, false);
    this.main = connected;
    this.show(connected);
    return connected;
  }

  /** A participant goes where the plan sends them: a breakout, or the main room again. */
  async enter(target: RoomTarget): Promise<Room> {
    const before = this.shownRoom;
    const connected = await this.connect(target, false);
    if (!target.breakout) this.main = connected;
    this.show(connected);
    if (before && before.room !== connected.room) {
      before.engine?.stop();
      await before.room.disconnect().catch(() => undefined);
    }
    return connected.room;
  }

  /** A host visits a breakout: the main room (and its key engine, which keys every scope) stays connected behind it. */
  async visit(target: RoomTarget & { breakout: NonNullable<RoomTarget['breakout']> }): Promise<void> {
    const before = this.shownRoom;
    const connected = await this.connect(target, true);
    await this.main?.room.localParticipant.setMicrophoneEnabled(false).catch(() => undefined);
    this.show(connected);
    if (before?.visiting) {
      before.engine?.stop();
      await before.room.disconnect().catch(() => undefined);
    }
  }

  /**
   * What `…/breakouts/mine` said: the epoch current now. In a breakout of an
   * end-to-end meeting nobody announces an epoch begun elsewhere (the counter
   * is the meeting's), so the engine of the breakout shown asks for its key.
   */
  notePlacement(mine: MyBreakout): void {
    const shown = this.shownRoom;
    const epoch = mine.join?.encryption.epoch;
    if (!shown?.engine || epoch === undefined || shown.scope.kind !== 'breakout') return;
    if (mine.breakout?.id === shown.scope.breakoutId) shown.engine.want(epoch);
  }

  /** A visiting host comes back to the main room. */
  async endVisit(): Promise<void> {
    const visit = this.shownRoom;
    if (!visit?.visiting || !this.main) return;
    this.show(this.main);
    await this.main.room.localParticipant.setMicrophoneEnabled(true).catch(() => undefined);
    visit.engine?.stop();
    await visit.room.disconnect().catch(() => undefined);
  }

  async leave(): Promise<void> {
    for (const connected of new Set([this.shownRoom, this.main])) {
      connected?.engine?.stop();
      await connected?.room.disconnect().catch(() => undefined);
    }
  }
}
