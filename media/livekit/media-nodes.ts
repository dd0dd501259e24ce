import {
  AccessToken,
  DataPacket_Kind,
  RoomServiceClient,
  TrackSource,
  WebhookReceiver,
  type WebhookEvent,
} from 'livekit-server-sdk';
import { randomBytes } from 'node:crypto';
import type { MediaNodeConfig } from '../../config/env.js';
import { notFound } from '../../lambdas/domain/errors.js';
import { counted } from '../../lambdas/http/call-counter.js';

/**
 * The LiveKit deployments a site may use, and everything the control plane
 * asks of them: health, rooms, host controls, tokens and webhook signatures.
 * Tokens are minted here and nowhere else, so the rules of principle 4 hold in
 * one place: one room, no room creation, no admin, never hidden or recorder.
 */
export interface JoinGrant {
  readonly roomName: string;
  /** A per-meeting pseudonym; never a name, address or IdP subject. */
  readonly identity: string;
  /** Only when the tenant turned display names on. */
  readonly name?: string;
  /** Shown to everyone in the room, e.g. that this participant is a moderator. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly canPublish: boolean;
}

/** A join token is good for connecting within minutes; LiveKit keeps a connected participant in with refreshed tokens. */
export const JOIN_TOKEN_TTL_SECONDS = 300;

/** Opaque: nothing of the tenant or the meeting can be read from a room name. */
export function opaqueRoomName(): string {
  return `rm_${randomBytes(16).toString('hex')}`;
}

export interface RoomSpec {
  readonly name: string;
  readonly emptyTimeoutSeconds: number;
  readonly departureTimeoutSeconds: number;
  readonly maxParticipants: number;
}

const HEALTH_MEMORY_MS = 10_000;
const UNHEALTHY_MEMORY_MS = 1000;

export class MediaNode {
  private readonly rooms: RoomServiceClient;
  private readonly receiver: WebhookReceiver;
  private health: { healthy: boolean; until: number } | undefined;

  constructor(
    readonly config: MediaNodeConfig,
    private readonly timeoutMs: number,
  ) {
    this.rooms = new RoomServiceClient(config.url, config.apiKey, config.apiSecret, {
      requestTimeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    });
    this.receiver = new WebhookReceiver(config.apiKey, config.apiSecret);
  }

  get id(): string {
    return this.config.id;
  }

  /** Answers a room listing within the timeout; the answer is remembered for a few seconds. */
  async healthy(now = Date.now()): Promise<boolean> {
    if (this.health && this.health.until > now) return this.health.healthy;
    let healthy = false;
    try {
      await Promise.race([
        counted('livekit', () => this.rooms.listRooms(['meetplane-health-probe'])),
        new Promise((_, failed) => setTimeout(() => failed(new Error('timeout')), this.timeoutMs).unref()),
      ]);
      healthy = true;
    } catch {
      healthy = false;
    }
    // A node that did not answer is asked again soon: it is back in use within a second or two of answering again.
    this.health = { healthy, until: now + (healthy ? HEALTH_MEMORY_MS : UNHEALTHY_MEMORY_MS) };
    return healthy;
  }

  /** Creates the room if it does not exist yet (CreateRoom returns the existing room). No metadata: nothing personal. */
  async ensureRoom(spec: RoomSpec): Promise<void> {
    await counted('livekit', () =>
      this.rooms.createRoom({
        name: spec.name,
        emptyTimeout: spec.emptyTimeoutSeconds,
        departureTimeout: spec.departureTimeoutSeconds,
        maxParticipants: spec.maxParticipants,
      }),
    );
  }

  async deleteRoom(name: string): Promise<void> {
    await counted('livekit', () => this.rooms.deleteRoom(name)).catch((error: { status?: number }) => {
      if (error.status !== 404) throw error;
    });
  }

  async removeParticipant(room: string, identity: string): Promise<void> {
    await counted('livekit', () => this.rooms.removeParticipant(room, identity)).catch((error: { status?: number }) => {
      if (error.status !== 404) throw error;
    });
  }

  async mute(room: string, identity: string, trackSid: string, muted: boolean): Promise<void> {
    // Asked about a participant or track that is not there, LiveKit waits until its timeout: look first.
    let participant;
    try {
      participant = await counted('livekit', () => this.rooms.getParticipant(room, identity));
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined && status >= 400 && status < 500) throw notFound('No such participant in the live room');
      throw error;
    }
    if (!participant.tracks.some((track) => track.sid === trackSid)) throw notFound('The participant publishes no such track');
    await counted('livekit', () => this.rooms.mutePublishedTrack(room, identity, trackSid, muted));
  }

  /**
   * A reliable data message to everyone in the room, or only to `to` (e.g. a new key epoch: never a key). A room
   * LiveKit closed (everyone left) has nobody to tell, and LiveKit would wait until its timeout to send to one: look first.
   */
  async broadcast(room: string, topic: string, payload: unknown, to?: readonly string[]): Promise<void> {
    const [open] = await counted('livekit', () => this.rooms.listRooms([room]));
    if (!open) return;
    await counted('livekit', () =>
      this.rooms.sendData(room, new TextEncoder().encode(JSON.stringify(payload)), DataPacket_Kind.RELIABLE, {
        topic,
        ...(to && { destinationIdentities: [...to] }),
      }),
    );
  }

  /** The one place a media token is minted, for the main room and every breakout alike. */
  async mintJoinToken(grant: JoinGrant): Promise<string> {
    const token = new AccessToken(this.config.apiKey, this.config.apiSecret, {
      identity: grant.identity,
      ttl: JOIN_TOKEN_TTL_SECONDS,
      ...(grant.name !== undefined && { name: grant.name }),
      ...(grant.attributes !== undefined && { attributes: { ...grant.attributes } }),
    });
    token.addGrant({
      room: grant.roomName,
      roomJoin: true,
      roomCreate: false,
      roomAdmin: false,
      roomList: false,
      roomRecord: false,
      canPublish: grant.canPublish,
      canPublishSources: grant.canPublish
        ? [TrackSource.MICROPHONE, TrackSource.CAMERA, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO]
        : [],
      canSubscribe: true,
      canPublishData: true,
      canUpdateOwnMetadata: false,
      hidden: false,
      recorder: false,
    });
    return token.toJwt();
  }

  /** Verifies the signature and the body hash before anything of the body is used. */
  async verifyWebhook(rawBody: string, authorization: string | undefined): Promise<WebhookEvent> {
    return this.receiver.receive(rawBody, authorization);
  }
}

export function mediaNodes(configs: readonly MediaNodeConfig[], timeoutMs: number): Map<string, MediaNode> {
  return new Map(configs.map((c) => [c.id, new MediaNode(c, timeoutMs)]));
}
