import { RoomEvent, type Room } from 'livekit-client';
import type { ApiClient } from '../../api/client';

/** What `GET …/breakouts/mine` answers. */
export interface MyBreakout {
  readonly state: 'none' | 'draft' | 'open' | 'closing' | 'closed';
  readonly returnAt?: string;
  readonly breakout?: { readonly id: string; readonly name: string; readonly scope: string };
  readonly join?: MediaGrant;
  /** While open breakouts let participants choose: the rooms to choose from. */
  readonly choices?: readonly { readonly id: string; readonly name: string }[];
}

export interface MediaGrant {
  readonly media: { readonly url: string; readonly token: string };
  readonly encryption: {
    readonly mode: 'standard' | 'e2ee';
    readonly epoch: number;
    readonly keyIndex: number;
    readonly key?: string;
  };
}

/** Where the participant should be: the main room, or a breakout. */
export interface RoomTarget {
  readonly grant: MediaGrant;
  readonly breakout?: { readonly id: string; readonly name: string; readonly scope: string };
}

/**
 * What the meeting room offers for moving between its rooms: connect to the
 * target's room (a new LiveKit Room, with the target's key scope in an
 * end-to-end meeting), show it, and only then leave the room shown before —
 * between a leave and the next connect the server would unbind this device
 * (docs/e2ee.md). Resolves with the room now shown.
 */
export type EnterRoom = (target: RoomTarget) => Promise<Room>;

export interface FollowerState {
  readonly state: MyBreakout['state'];
  /** The breakout this participant is in now, if any. */
  readonly breakout?: RoomTarget['breakout'];
  /** Everyone returns to the main room at this time. */
  readonly returnAt?: string;
  /** The host's last message to the breakouts, and the countdown it set. */
  readonly message?: { readonly text?: string; readonly sealed?: string; readonly countdownEndsAt?: string; readonly at: number };
  readonly moving: boolean;
  /** The rooms this participant may choose among, where the host lets them. */
  readonly choices?: MyBreakout['choices'];
}

const decoder = new TextDecoder();

/**
 * Takes a participant where the breakout plan puts them, without a rejoin by
 * hand: it asks `GET …/breakouts/mine` every few seconds (the server tells no
 * one when breakouts open) and at once when the room disconnects them (a move,
 * a close), enters the breakout with the token it gets, and returns to the
 * main room when the breakouts close or their countdown ends.
 */
export class BreakoutFollower {
  private room: Room;
  private where: string = 'main';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private busy = false;
  private stateValue: FollowerState = { state: 'none', moving: false };
  private readonly listeners = new Set<(state: FollowerState) => void>();

  constructor(
    private readonly options: {
      readonly api: ApiClient;
      readonly meetingId: string;
      readonly room: Room;
      readonly enter: EnterRoom;
      /** End-to-end meetings: the device this page joined with; a placement is for it (and binds it again). */
      readonly deviceId?: string;
      /** Each answer of `…/breakouts/mine`: in an end-to-end breakout it names the current epoch, which no one announces there. */
      readonly onPlacement?: (mine: MyBreakout) => void;
      readonly pollMs?: number;
    },
  ) {
    this.room = options.room;
    this.watch(this.room);
    this.schedule(0);
  }

  getState(): FollowerState {
    return this.stateValue;
  }

  subscribe(listener: (state: FollowerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unwatch(this.room);
    this.listeners.clear();
  }

  /** Ask now where to be (after a choice of room, say). */
  check(): void {
    this.schedule(0);
  }

  /** Go to a breakout of one's own choice (where the host lets participants choose); the move follows at once. */
  async choose(breakoutId: string): Promise<void> {
    await this.options.api.POST('/v1/meetings/{meetingId}/breakouts/choose', {
      params: { path: { meetingId: this.options.meetingId } },
      body: { to: breakoutId },
    });
    this.check();
  }

  private update(patch: Partial<FollowerState>): void {
    this.stateValue = { ...this.stateValue, ...patch };
    for (const listener of this.listeners) listener(this.stateValue);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private readonly onDisconnected = () => this.schedule(200);

  private readonly onData = (payload: Uint8Array, _from?: unknown, _kind?: unknown, topic?: string) => {
    if (topic !== 'meetplane.breakouts' && topic !== 'meetplane.broadcast') return;
    let message: { closing?: boolean; returnAt?: string; message?: string; ciphertext?: string; countdownEndsAt?: string };
    try {
      message = JSON.parse(decoder.decode(payload)) as typeof message;
    } catch {
      return;
    }
    if (topic === 'meetplane.breakouts' && message.returnAt) {
      this.update({ state: 'closing', returnAt: message.returnAt });
      this.schedule(Math.max(0, Date.parse(message.returnAt) - Date.now()) + 300);
    } else if (topic === 'meetplane.broadcast') {
      this.update({
        message: {
          ...(message.message !== undefined && { text: message.message }),
          ...(message.ciphertext !== undefined && { sealed: message.ciphertext }),
          ...(message.countdownEndsAt !== undefined && { countdownEndsAt: message.countdownEndsAt }),
          at: Date.now(),
        },
      });
    }
  };

  private watch(room: Room): void {
    room.on(RoomEvent.Disconnected, this.onDisconnected);
    room.on(RoomEvent.DataReceived, this.onData);
  }

  private unwatch(room: Room): void {
    room.off(RoomEvent.Disconnected, this.onDisconnected);
    room.off(RoomEvent.DataReceived, this.onData);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.busy) return;
    this.busy = true;
    let next = this.options.pollMs ?? 3000;
    try {
      const { meetingId, deviceId } = this.options;
      const { data } = await this.options.api.GET('/v1/meetings/{meetingId}/breakouts/mine', {
        params: { path: { meetingId }, query: deviceId ? { deviceId } : {} },
      });
      const mine = data as MyBreakout | undefined;
      if (mine && !this.stopped) {
        this.options.onPlacement?.(mine);
        this.update({
          state: mine.state,
          returnAt: mine.returnAt,
          choices: mine.choices,
          ...(mine.state === 'none' && { message: undefined }),
        });
        const wanted = mine.breakout?.id ?? 'main';
        if (mine.returnAt) next = Math.min(next, Math.max(300, Date.parse(mine.returnAt) - Date.now() + 300));
        if (mine.join && (wanted !== this.where || this.room.state === 'disconnected')) {
          this.update({ moving: true });
          try {
            const room = await this.options.enter({ grant: mine.join, ...(mine.breakout && { breakout: mine.breakout }) });
            this.unwatch(this.room);
            this.room = room;
            this.watch(room);
            this.where = wanted;
            this.update({
              breakout: mine.breakout,
              ...(wanted === 'main' && { message: undefined, returnAt: undefined }),
            });
          } finally {
            this.update({ moving: false });
          }
        }
      }
    } catch {
      next = 2000;
    } finally {
      this.busy = false;
      this.schedule(next);
    }
  }
}
