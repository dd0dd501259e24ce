import { decodeJwt } from 'jose';
import type { WebhookEvent } from 'livekit-server-sdk';
import { OPERATIONS } from '../api/operations/livekit-webhook.js';
import { currentMediaSite } from '../media-composition.js';
import { noteEvent } from '../http/call-counter.js';
import { logger } from '../http/logger.js';
import { problems } from '../http/problem.js';
import type { RawRequest, VerifiedWebhook } from '../http/callers.js';
import { route, routeGroup } from '../http/route.js';
import { carryOutClusterEffects, carryOutOnCluster } from '../http/room-effects.js';
import { arrivalEffects, leaveAnnouncements, leaveRekey, type RoomSession } from '../domain/meeting-rooms.js';
import { clearPin } from '../store/live-state-store.js';
import { leaveUnbinds } from '../domain/e2ee-devices.js';

const site = currentMediaSite();
const { config } = site;

const toIso = (seconds: bigint | number | undefined) => (seconds ? new Date(Number(seconds) * 1000).toISOString() : undefined);

/** A participant of a webhook as a session in one of the meeting's rooms. */
function sessionOf(
  owner: { breakoutId?: string },
  roomName: string,
  participant: NonNullable<WebhookEvent['participant']>,
): RoomSession {
  return {
    roomName,
    participantId: participant.identity,
    ...(owner.breakoutId !== undefined && { breakoutId: owner.breakoutId }),
    attributes: participant.attributes,
  };
}

/**
 * In an end-to-end meeting, whoever leaves a room must not be able to read
 * what follows there: a new epoch starts and the host's client is asked, by a
 * data message that carries only the epoch, to seal a new key to those who
 * remain (see domain/meeting-rooms.ts for which leaves, and who is told).
 */
async function rekeyIfEndToEnd(tenantId: string, meetingId: string, departure: RoomSession): Promise<void> {
  const { meeting, live } = await site.live.forJoin(tenantId, meetingId);
  if (meeting?.encryption !== 'e2ee') return;
  const plan = departure.breakoutId !== undefined ? await site.breakoutPlans.breakoutPlan(tenantId, meetingId) : undefined;
  const sessions = departure.breakoutId !== undefined ? await site.webhookLedger.attendance(tenantId, meetingId) : [];
  const rekey = leaveRekey(meeting.encryption, live, plan, departure, sessions, new Date());
  if (!rekey) return;
  const epoch = await site.live.rotate(tenantId, meetingId);
  const hosts =
    rekey.breakoutId !== undefined
      ? (await site.e2ee.meetingDevices(tenantId, meetingId)).filter((b) => b.role === 'host').map((b) => b.participantId)
      : [];
  await carryOutClusterEffects(site, live, plan, leaveAnnouncements(rekey, live, epoch, hosts));
}

/**
 * A participant's device stays bound to an end-to-end meeting while they are
 * present: when their last session in the meeting's rooms ends, it is
 * unbound, so the host's next epoch is not sealed to it and they fetch no
 * later envelope. A rejoin binds it again (see domain/e2ee-devices.ts).
 */
async function unbindIfGone(tenantId: string, meetingId: string, participant: NonNullable<WebhookEvent['participant']>) {
  const binding = await site.e2ee.meetingDevice(tenantId, meetingId, participant.identity);
  if (!binding) return;
  const startedAtMs = participant.joinedAtMs
    ? Number(participant.joinedAtMs)
    : participant.joinedAt
      ? Number(participant.joinedAt) * 1000
      : undefined;
  const sessions = await site.webhookLedger.attendance(tenantId, meetingId);
  if (leaveUnbinds(binding, startedAtMs, sessions))
    await site.e2ee.unbindMeetingDevice(tenantId, meetingId, binding.participantId, binding.boundAt);
}

type RoomOwner = NonNullable<Awaited<ReturnType<typeof site.webhookLedger.roomOwner>>>;

/** Applies one verified event about a room this site placed on the cluster that sent it. */
async function apply(event: WebhookEvent, clusterId: string, roomName: string, owner: RoomOwner): Promise<void> {
  const at = Number(event.createdAt ?? 0n);
  const participants = event.room?.numParticipants ?? 0;
  const attendance = async (change: { joinedAt?: string; leftAt?: string }) => {
    if (!event.participant) return;
    const session = { sid: event.participant.sid, identity: event.participant.identity, room: roomName };
    await site.webhookLedger.recordAttendance(owner.tenantId, owner.meetingId, session, change);
  };
  switch (event.event) {
    case 'participant_joined': {
      // A token outlives a removal or a move: whoever no longer belongs in the room is put out again.
      const cluster = site.clusters.get(clusterId);
      if (event.participant && cluster) {
        const live = await site.live.live(owner.tenantId, owner.meetingId);
        const plan =
          owner.breakoutId !== undefined ? await site.breakoutPlans.breakoutPlan(owner.tenantId, owner.meetingId) : undefined;
        const arrival = sessionOf(owner, roomName, event.participant);
        await carryOutOnCluster(cluster, arrivalEffects(live, plan, arrival, new Date()));
      }
      await attendance({ joinedAt: toIso(event.participant?.joinedAt) ?? toIso(at) });
      await site.clusterStatus.reportRoomLoad(clusterId, roomName, participants, at);
      break;
    }
    case 'participant_left':
    case 'participant_connection_aborted':
      await attendance({ leftAt: toIso(at) ?? new Date().toISOString() });
      // Unbound before the rekey is announced, so the host's client lists the devices without theirs.
      if (event.participant) await unbindIfGone(owner.tenantId, owner.meetingId, event.participant);
      await site.clusterStatus.reportRoomLoad(clusterId, roomName, participants, at);
      if (event.participant)
        await rekeyIfEndToEnd(owner.tenantId, owner.meetingId, sessionOf(owner, roomName, event.participant));
      break;
    case 'room_finished':
      await site.clusterStatus.reportRoomLoad(clusterId, roomName, 0, at);
      // The next join creates a new room rather than sending people to one that is gone.
      await clearPin(site.clients.dynamodb, config.tableName, owner.tenantId, owner.meetingId, roomName);
      break;
    default:
      break;
  }
}

/**
 * The events the control plane acts on, or checks the room of. LiveKit sends
 * others as well — two or more track events per participant (published and
 * unpublished, each camera and microphone), egress and ingress — which it
 * cannot be told not to send; they are acknowledged once verified, with no
 * ledger entry and no lookup, so that they cost no DynamoDB call.
 */
const APPLIED_EVENTS = new Set([
  'room_started',
  'room_finished',
  'participant_joined',
  'participant_left',
  'participant_connection_aborted',
]);

/** A webhook is authenticated by its signature: the signing key names the cluster, and the body's hash is checked too. */
async function verifiedWebhook(request: RawRequest): Promise<VerifiedWebhook> {
  const authorization = request.headers.authorization;
  let nodeKey: string | undefined;
  try {
    nodeKey = authorization ? decodeJwt(authorization).iss : undefined;
  } catch {
    nodeKey = undefined;
  }
  const cluster = [...site.clusters.values()].find((n) => n.config.apiKey === nodeKey);
  if (!cluster) throw problems.unauthorized();
  try {
    return { clusterId: cluster.id, event: await cluster.verifyWebhook(request.rawBody, authorization) };
  } catch {
    throw problems.unauthorized();
  }
}

export const handler = routeGroup(
  { livekit: verifiedWebhook },
  {
    'POST /v1/media/livekit/webhook': route(OPERATIONS['POST /v1/media/livekit/webhook'], async (request) => {
      const { event, clusterId } = request.caller;
      // How late LiveKit's events arrive (createdAt is in whole seconds), duplicates included: each is a delivery.
      if (event.createdAt) noteEvent('WebhookLag', Math.max(0, Date.now() - Number(event.createdAt) * 1000));
      if (!APPLIED_EVENTS.has(event.event)) return { status: 200, body: { received: true } };
      // A cluster's webhooks reach every site that may place rooms on it. A site keeps only what is about rooms
      // it placed there, and stores nothing at all of the rest (not even that the event came): another site's.
      const roomName = event.room?.name;
      const owner = roomName ? await site.webhookLedger.roomOwner(roomName) : undefined;
      if (!roomName || !owner || owner.clusterId !== clusterId) return { status: 200, body: { received: true, ignored: true } };
      if (!event.id || !(await site.webhookLedger.firstDelivery(event.id)))
        return { status: 200, body: { received: true, duplicate: true } };
      try {
        await apply(event, clusterId, roomName, owner);
      } catch (error) {
        if (!(error instanceof Error && error.name === 'HttpProblem')) {
          // Let LiveKit's retry deliver it again.
          await site.webhookLedger.forgetDelivery(event.id).catch(() => undefined);
          logger.warn('webhook not applied', { event: event.event, errorName: (error as Error).name });
        }
        throw error;
      }
      return { status: 200, body: { received: true } };
    }),
  },
);
