import { decodeJwt } from 'jose';
import type { WebhookEvent } from 'livekit-server-sdk';
import { OPERATIONS } from '../api/operations/livekit-webhook.js';
import { currentMediaSite } from '../media-composition.js';
import { noteEvent } from '../http/call-counter.js';
import { logger } from '../http/logger.js';
import { problems } from '../http/problem.js';
import type { RawRequest, VerifiedWebhook } from '../http/callers.js';
import { route, routeGroup } from '../http/route.js';
import { clearPin } from '../store/live-store.js';
import { leaveUnbinds } from '../domain/e2ee-devices.js';

const site = currentMediaSite();
const { config } = site;

const toIso = (seconds: bigint | number | undefined) => (seconds ? new Date(Number(seconds) * 1000).toISOString() : undefined);

/**
 * In an end-to-end meeting, whoever leaves must not be able to read what
 * follows: a new epoch starts and the host's client is asked, by a data message
 * that carries only the epoch, to seal a new key to those who remain.
 */
async function rekeyIfEndToEnd(tenantId: string, meetingId: string, roomName: string, nodeId: string): Promise<void> {
  const { meeting, live } = await site.live.forJoin(tenantId, meetingId);
  if (meeting?.encryption !== 'e2ee' || live.ended || live.roomName !== roomName) return;
  const epoch = await site.live.rotate(tenantId, meetingId);
  await site.nodes.get(nodeId)?.broadcast(roomName, 'meetplane.epoch', { epoch, rekey: true });
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
  const sessions = await site.live.attendance(tenantId, meetingId);
  if (leaveUnbinds(binding, startedAtMs, sessions))
    await site.e2ee.unbindMeetingDevice(tenantId, meetingId, binding.participantId, binding.boundAt);
}

/** Applies one verified event; events about rooms this site did not create are refused. */
async function apply(event: WebhookEvent, nodeId: string): Promise<'applied' | 'unknown-room'> {
  const roomName = event.room?.name;
  if (!roomName) return 'applied';
  const owner = await site.live.roomOwner(roomName);
  if (!owner || owner.nodeId !== nodeId) return 'unknown-room';
  const at = Number(event.createdAt ?? 0n);
  const participants = event.room?.numParticipants ?? 0;
  const attendance = async (change: { joinedAt?: string; leftAt?: string }) => {
    if (!event.participant) return;
    const session = { sid: event.participant.sid, identity: event.participant.identity, room: roomName };
    await site.live.recordAttendance(owner.tenantId, owner.meetingId, session, change);
  };
  switch (event.event) {
    case 'participant_joined':
      await attendance({ joinedAt: toIso(event.participant?.joinedAt) ?? toIso(at) });
      await site.live.reportRoomLoad(nodeId, roomName, participants, at);
      break;
    case 'participant_left':
    case 'participant_connection_aborted':
      await attendance({ leftAt: toIso(at) ?? new Date().toISOString() });
      // Unbound before the rekey is announced, so the host's client lists the devices without theirs.
      if (event.participant) await unbindIfGone(owner.tenantId, owner.meetingId, event.participant);
      await site.live.reportRoomLoad(nodeId, roomName, participants, at);
      await rekeyIfEndToEnd(owner.tenantId, owner.meetingId, roomName, nodeId);
      break;
    case 'room_finished':
      await site.live.reportRoomLoad(nodeId, roomName, 0, at);
      // The next join creates a new room rather than sending people to one that is gone.
      await clearPin(site.clients.dynamodb, config.tableName, owner.tenantId, owner.meetingId, roomName);
      break;
    default:
      break;
  }
  return 'applied';
}

/** A webhook is authenticated by its signature: the signing key names the node, and the body's hash is checked too. */
async function verifiedWebhook(request: RawRequest): Promise<VerifiedWebhook> {
  const authorization = request.headers.authorization;
  let nodeKey: string | undefined;
  try {
    nodeKey = authorization ? decodeJwt(authorization).iss : undefined;
  } catch {
    nodeKey = undefined;
  }
  const node = [...site.nodes.values()].find((n) => n.config.apiKey === nodeKey);
  if (!node) throw problems.unauthorized();
  try {
    return { nodeId: node.id, event: await node.verifyWebhook(request.rawBody, authorization) };
  } catch {
    throw problems.unauthorized();
  }
}

export const handler = routeGroup(
  { livekit: verifiedWebhook },
  {
    'POST /v1/media/livekit/webhook': route(OPERATIONS['POST /v1/media/livekit/webhook'], async (request) => {
      const { event, nodeId } = request.caller;
      // How late LiveKit's events arrive (createdAt is in whole seconds), duplicates included: each is a delivery.
      if (event.createdAt) noteEvent('WebhookLag', Math.max(0, Date.now() - Number(event.createdAt) * 1000));
      if (!event.id || !(await site.live.firstDelivery(event.id)))
        return { status: 200, body: { received: true, duplicate: true } };
      try {
        const outcome = await apply(event, nodeId);
        if (outcome === 'unknown-room') {
          await site.live.forgetDelivery(event.id);
          throw problems.notFound('The event is about a room this site did not create');
        }
      } catch (error) {
        if (!(error instanceof Error && error.name === 'HttpProblem')) {
          // Let LiveKit's retry deliver it again.
          await site.live.forgetDelivery(event.id).catch(() => undefined);
          logger.warn('webhook not applied', { event: event.event, errorName: (error as Error).name });
        }
        throw error;
      }
      return { status: 200, body: { received: true } };
    }),
  },
);
