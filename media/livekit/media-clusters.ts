import {
  AccessToken,
  DataPacket_Kind,
  RoomServiceClient,
  TrackSource,
  WebhookReceiver,
  type WebhookEvent,
} from 'livekit-server-sdk';
import { randomBytes } from 'node:crypto';
import type { MediaClusterConfig } from '../../config/env.js';
import { notFound } from '../../lambdas/domain/errors.js';
import { counted } from '../../lambdas/http/call-counter.js';
import { DeadlineExceeded } from '../../lambdas/http/dependency-errors.js';

/**
 * The LiveKit clusters a site may use, and everything the control plane
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
/** A cluster whose probe has not answered within this is unhealthy, whatever the reason (a hung node answers nothing). */
export const PROBE_DEADLINE_MS = 1000;
/** Creating a room takes LiveKit milliseconds; one that has not answered within this will not, and the join moves on. */
export const ROOM_CREATION_DEADLINE_MS = 1200;

interface Endpoint {
  readonly url: string;
  readonly rooms: RoomServiceClient;
  /** What its last probe said; until the first, it is taken to answer. */
  answered: boolean;
}

/** Fails with DeadlineExceeded when `call` has not settled within `ms`; the call itself is no longer awaited. */
async function within<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  call.catch(() => undefined);
  try {
    return await Promise.race([
      call,
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new DeadlineExceeded('livekit', true)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One LiveKit cluster: nodes sharing a Redis, which LiveKit places rooms on
 * (its node selector) and any of which serves every room of the cluster. The
 * control plane places meetings on clusters, never on a node of one; it calls
 * the cluster through any endpoint that answers.
 */
export class MediaCluster {
  private readonly endpoints: Endpoint[];
  private readonly receiver: WebhookReceiver;
  private health: { healthy: boolean; until: number } | undefined;
  private probing: Promise<boolean> | undefined;
  private turn = 0;

  constructor(
    readonly config: MediaClusterConfig,
    private readonly timeoutMs: number,
  ) {
    this.endpoints = config.urls.map((url) => ({
      url,
      rooms: new RoomServiceClient(url, config.apiKey, config.apiSecret, {
        requestTimeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
      }),
      answered: true,
    }));
    this.receiver = new WebhookReceiver(config.apiKey, config.apiSecret);
  }

  get id(): string {
    return this.config.id;
  }

  /** The endpoints that answered their last probe (all of them when none did, to try again). */
  private answering(): Endpoint[] {
    const up = this.endpoints.filter((e) => e.answered);
    return up.length > 0 ? up : this.endpoints;
  }

  /** The room service of an endpoint that answers. */
  private get rooms(): RoomServiceClient {
    return this.answering()[0]!.rooms;
  }

  /**
   * Where a participant's client connects: an endpoint that answers, in turn,
   * so that signal connections spread over the nodes when each is reached
   * directly (LiveKit relays a participant to the node that hosts the room).
   */
  signalUrl(): string {
    const up = this.answering();
    return up[this.turn++ % up.length]!.url;
  }

  /** Each endpoint and whether it answered its last probe. */
  endpointHealth(): { url: string; healthy: boolean }[] {
    return this.endpoints.map((e) => ({ url: e.url, healthy: e.answered }));
  }

  /**
   * Healthy when any endpoint answers a room listing within the probe
   * deadline (about a second), whatever keeps the others from answering; the
   * answer is remembered for a few seconds (an unhealthy one for one).
   */
  async healthy(now = Date.now()): Promise<boolean> {
    if (this.health && this.health.until > now) return this.health.healthy;
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async probe(): Promise<boolean> {
    const deadline = Math.min(PROBE_DEADLINE_MS, this.timeoutMs);
    const checks = this.endpoints.map(async (endpoint) => {
      try {
        await within(
          counted('livekit', () => endpoint.rooms.listRooms(['meetplane-health-probe'])),
          deadline,
        );
        endpoint.answered = true;
      } catch (error) {
        endpoint.answered = false;
        throw error;
      }
    });
    const healthy = await Promise.any(checks).then(
      () => true,
      () => false,
    );
    // A cluster that did not answer is asked again soon: it is back in use within a second or two of answering again.
    this.health = { healthy, until: Date.now() + (healthy ? HEALTH_MEMORY_MS : UNHEALTHY_MEMORY_MS) };
    return healthy;
  }

  /** What a call that got no answer in time teaches: the cluster is not used until it answers a probe again. */
  markUnhealthy(now = Date.now()): void {
    this.health = { healthy: false, until: now + UNHEALTHY_MEMORY_MS };
  }

  /**
   * Creates the room if it does not exist yet (CreateRoom returns the existing
   * room); LiveKit's node selector puts it on one of the cluster's nodes. No
   * metadata: nothing personal. Fails with DeadlineExceeded after `deadlineMs`.
   */
  async ensureRoom(spec: RoomSpec, deadlineMs = ROOM_CREATION_DEADLINE_MS): Promise<void> {
    await within(
      counted('livekit', () =>
        this.rooms.createRoom({
          name: spec.name,
          emptyTimeout: spec.emptyTimeoutSeconds,
          departureTimeout: spec.departureTimeoutSeconds,
          maxParticipants: spec.maxParticipants,
        }),
      ),
      deadlineMs,
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

export function mediaClusters(configs: readonly MediaClusterConfig[], timeoutMs: number): Map<string, MediaCluster> {
  return new Map(configs.map((c) => [c.id, new MediaCluster(c, timeoutMs)]));
}
