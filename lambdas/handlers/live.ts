import { OPERATIONS } from '../api/operations/live.js';
import { currentMediaSite } from '../media-composition.js';
import { admitFromLobby, mediaRole } from '../domain/admission.js';
import { DomainError, invalid, notFound } from '../domain/errors.js';
import { endPlan, removeFromPlan, type BreakoutPlan } from '../domain/breakouts.js';
import { admit, encryptionGrant, joinMeeting, type JoinOutcome, type JoinRequest } from '../domain/joining.js';
import { checkMayHoldKey, type Joiner, type LiveState } from '../domain/live-meeting.js';
import { endEffects, removalEffects } from '../domain/meeting-rooms.js';
import { noteEvent } from '../http/call-counter.js';
import { carryOutRoomEffects } from '../http/room-effects.js';
import type { TenantOrGuest } from '../http/callers.js';
import { hostContext, joinerFor, joinPorts, joinSettings } from '../http/join-context.js';
import { tenantAndGuestCallers } from '../http/auth/callers-of.js';
import { route, routeGroup, type RouteResult } from '../http/route.js';

const site = currentMediaSite();

/**
 * The join rules' ports, watching whether this admission placed the meeting
 * and created its room: that is a first join, for the metrics.
 */
function observedJoinPorts(principal: TenantOrGuest) {
  const ports = joinPorts(site, principal);
  const observed = { createdRoom: false };
  return {
    observed,
    ports: {
      ...ports,
      createRoom: async (...args: Parameters<typeof ports.createRoom>) => {
        const outcome = await ports.createRoom(...args);
        if (outcome === 'created') observed.createdRoom = true;
        return outcome;
      },
    },
  };
}

/** Counts an admission that hands out media, and whether it created the room. */
function noteJoin(outcome: JoinOutcome, observed: { createdRoom: boolean }): void {
  if (outcome.status !== 'admitted') return;
  noteEvent('Joins');
  if (observed.createdRoom) noteEvent('FirstJoins');
}

/** Only what the client needs: where the media is placed (cluster, room) stays with the control plane. */
function joinResponse(outcome: JoinOutcome): RouteResult {
  if (outcome.status !== 'admitted') return { status: 200, body: outcome };
  const { status, media, encryption, participantId, role } = outcome;
  return { status: 200, body: { status, media, encryption, participantId, role } };
}

/**
 * In an end-to-end meeting an admitted participant names the registered device
 * the host's client is to seal keys to; it must be one of their own devices.
 */
async function bindDevice(
  principal: TenantOrGuest,
  joiner: Joiner,
  meetingId: string,
  outcome: JoinOutcome,
  deviceId: string | undefined,
) {
  if (outcome.status !== 'admitted' || outcome.encryption.mode !== 'e2ee') return;
  if (!deviceId)
    throw invalid(
      'deviceId',
      'an end-to-end meeting needs the device the key envelopes are for (register it at POST /v1/devices)',
    );
  const registration = await site.e2ee.ownDevice(principal.tenant.id, joiner.userRef, deviceId);
  if (!registration) throw invalid('deviceId', 'is not one of your registered devices');
  await site.e2ee.bindMeetingDevice(principal.tenant.id, meetingId, joiner.participantId, registration, outcome.role);
}

/**
 * Saves what a removal or the end made of the breakout plan. A plan a host
 * changed meanwhile is read again and changed the same way, a few times at most.
 */
async function settlePlan(
  principal: TenantOrGuest,
  meetingId: string,
  read: BreakoutPlan | undefined,
  changed: BreakoutPlan | undefined,
  change: (plan: BreakoutPlan) => BreakoutPlan,
): Promise<void> {
  let [plan, next] = [read, changed];
  for (let attempt = 0; ; attempt++) {
    if (!plan || !next || next === plan) return;
    try {
      await site.breakoutPlans.saveBreakoutPlan(principal.tenant.id, meetingId, next, plan.version);
      return;
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'conflict') || attempt >= 2) throw error;
    }
    plan = await site.breakoutPlans.breakoutPlan(principal.tenant.id, meetingId);
    next = plan && change(plan);
  }
}

function liveView(live: LiveState) {
  const node = live.clusterId ? site.clusters.get(live.clusterId) : undefined;
  return {
    locked: live.locked,
    ended: live.ended,
    epoch: live.epoch,
    removed: live.removed.length,
    ...(node && { site: node.config.site }),
  };
}

function decideRoute(
  key: 'POST /v1/meetings/{meetingId}/lobby/{ticket}/admit' | 'POST /v1/meetings/{meetingId}/lobby/{ticket}/deny',
  decision: 'admitted' | 'denied',
) {
  return route(OPERATIONS[key], async (request) => {
    const principal = request.caller;
    const { meetingId, ticket } = request.path;
    const { live } = await hostContext(site, principal, meetingId);
    if (decision === 'denied') {
      await site.lobby.decide(principal.tenant.id, meetingId, ticket, 'denied');
      return { status: 204 };
    }
    const stored = await site.lobby.ticket(principal.tenant.id, meetingId, ticket);
    if (!stored) throw notFound('No such ticket');
    await site.lobby.decide(principal.tenant.id, meetingId, ticket, admitFromLobby(live, stored.participantId, new Date()));
    return { status: 204 };
  });
}

function lockRoute(key: 'POST /v1/meetings/{meetingId}/lock' | 'POST /v1/meetings/{meetingId}/unlock', locked: boolean) {
  return route(OPERATIONS[key], async (request) => {
    const principal = request.caller;
    await hostContext(site, principal, request.path.meetingId);
    await site.live.setLocked(principal.tenant.id, request.path.meetingId, locked);
    return { status: 200, body: liveView(await site.live.live(principal.tenant.id, request.path.meetingId)) };
  });
}

/** A guest is named only as they asked when they redeemed their link (and only where the tenant shows names). */
function joinRequestOf(principal: TenantOrGuest, body: JoinRequest): JoinRequest {
  if (!('kind' in principal)) return body;
  const { displayName: _ignored, ...rest } = body;
  return { ...rest, ...(principal.displayName !== undefined && { displayName: principal.displayName }) };
}

export const handler = routeGroup(tenantAndGuestCallers(site.authenticator, site.guestTokens), {
  'POST /v1/meetings/{meetingId}/join': route(OPERATIONS['POST /v1/meetings/{meetingId}/join'], async (request) => {
    const principal = request.caller;
    const joiner = await joinerFor(site, principal, request.path.meetingId);
    const { ports, observed } = observedJoinPorts(principal);
    const outcome = await joinMeeting(
      ports,
      joinSettings(principal),
      joiner,
      request.path.meetingId,
      joinRequestOf(principal, request.body),
    );
    await bindDevice(principal, joiner, request.path.meetingId, outcome, request.body.deviceId);
    noteJoin(outcome, observed);
    return joinResponse(outcome);
  }),

  'GET /v1/meetings/{meetingId}/key': route(OPERATIONS['GET /v1/meetings/{meetingId}/key'], async (request) => {
    const principal = request.caller;
    const { meetingId } = request.path;
    const { epoch } = request.query;
    const joiner = await joinerFor(site, principal, meetingId);
    const { meeting, live, admission } = await site.live.forJoin(principal.tenant.id, meetingId, joiner.participantId);
    if (!meeting) throw notFound('No such meeting');
    checkMayHoldKey(meeting, live, joiner, admission, epoch);
    const grant = await encryptionGrant(joinPorts(site, principal), meetingId, meeting.encryption, epoch);
    return { status: 200, body: grant.mode === 'standard' ? { epoch, keyIndex: grant.keyIndex, key: grant.key } : grant };
  }),

  'GET /v1/meetings/{meetingId}/lobby/{ticket}': route(
    OPERATIONS['GET /v1/meetings/{meetingId}/lobby/{ticket}'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, ticket } = request.path;
      const joiner = await joinerFor(site, principal, meetingId);
      const stored = await site.lobby.ticket(principal.tenant.id, meetingId, ticket);
      // Only the ticket's owner learns anything about it.
      if (!stored || stored.participantId !== joiner.participantId) throw notFound('No such ticket');
      if (stored.status !== 'admitted') return { status: 200, body: { status: stored.status } };
      const { ports, observed } = observedJoinPorts(principal);
      const { meeting, live, admission } = await ports.load(meetingId, joiner.participantId);
      if (!meeting) throw notFound('No such meeting');
      const role = mediaRole(meeting, live, joiner, admission);
      const outcome = await admit(
        ports,
        joinSettings(principal),
        meeting,
        live,
        joiner,
        role,
        joinRequestOf(principal, {}).displayName,
      );
      await bindDevice(principal, joiner, meetingId, outcome, stored.deviceId);
      noteJoin(outcome, observed);
      return joinResponse(outcome);
    },
  ),

  'GET /v1/meetings/{meetingId}/lobby': route(OPERATIONS['GET /v1/meetings/{meetingId}/lobby'], async (request) => {
    const principal = request.caller;
    await hostContext(site, principal, request.path.meetingId);
    const key = { tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn };
    const waiting = await site.lobby.waiting(principal.tenant.id, request.path.meetingId);
    const items = await Promise.all(
      waiting.map(async (t) => ({
        ticket: t.ticket,
        since: t.since,
        ...(t.guest && { guest: true as const }),
        ...(t.sealedName && {
          displayName: (await site.cipher.open<{ displayName: string }>(key, 'participant', t.sealedName)).displayName,
        }),
      })),
    );
    return { status: 200, body: { items } };
  }),

  'POST /v1/meetings/{meetingId}/lobby/{ticket}/admit': decideRoute(
    'POST /v1/meetings/{meetingId}/lobby/{ticket}/admit',
    'admitted',
  ),
  'POST /v1/meetings/{meetingId}/lobby/{ticket}/deny': decideRoute('POST /v1/meetings/{meetingId}/lobby/{ticket}/deny', 'denied'),

  'POST /v1/meetings/{meetingId}/lock': lockRoute('POST /v1/meetings/{meetingId}/lock', true),
  'POST /v1/meetings/{meetingId}/unlock': lockRoute('POST /v1/meetings/{meetingId}/unlock', false),

  'POST /v1/meetings/{meetingId}/participants/{participantId}/remove': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/participants/{participantId}/remove'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, participantId } = request.path;
      const { live } = await hostContext(site, principal, meetingId);
      // Recorded first, so that even if LiveKit is slow to act, no new token or key is handed to them.
      const epoch = await site.live.remove(principal.tenant.id, meetingId, participantId);
      // Their device is no longer sealed to (end-to-end meetings), whatever LiveKit reports later.
      await site.e2ee.unbindMeetingDevice(principal.tenant.id, meetingId, participantId);
      const plan = await site.breakoutPlans.breakoutPlan(principal.tenant.id, meetingId);
      const removal = removalEffects(live, plan, participantId, epoch);
      // Out of every room before the plan is saved: a host changing the plan meanwhile must not keep them in.
      await carryOutRoomEffects(site, principal, meetingId, live, plan, removal.effects);
      await settlePlan(principal, meetingId, plan, removal.plan, (p) => removeFromPlan(p, participantId).plan);
      return { status: 200, body: liveView(await site.live.live(principal.tenant.id, meetingId)) };
    },
  ),

  'POST /v1/meetings/{meetingId}/participants/{participantId}/mute': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/participants/{participantId}/mute'],
    async (request) => {
      const principal = request.caller;
      const { live } = await hostContext(site, principal, request.path.meetingId);
      const node = live.clusterId ? site.clusters.get(live.clusterId) : undefined;
      if (!node || !live.roomName) throw notFound('The meeting has no live room');
      await node.mute(live.roomName, request.path.participantId, request.body.trackSid, request.body.muted);
      return { status: 204 };
    },
  ),

  'POST /v1/meetings/{meetingId}/end': route(OPERATIONS['POST /v1/meetings/{meetingId}/end'], async (request) => {
    const principal = request.caller;
    const { meetingId } = request.path;
    const { live } = await hostContext(site, principal, meetingId);
    await site.live.end(principal.tenant.id, meetingId);
    const plan = await site.breakoutPlans.breakoutPlan(principal.tenant.id, meetingId);
    const ending = endEffects(live, plan);
    // Every room goes before the plan is saved: a host changing the plan meanwhile must not keep a room open.
    await carryOutRoomEffects(site, principal, meetingId, live, plan, ending.effects);
    await settlePlan(principal, meetingId, plan, ending.plan, (p) => endPlan(p)?.plan ?? p);
    return { status: 200, body: liveView(await site.live.live(principal.tenant.id, request.path.meetingId)) };
  }),

  'GET /v1/meetings/{meetingId}/attendance': route(OPERATIONS['GET /v1/meetings/{meetingId}/attendance'], async (request) => {
    const principal = request.caller;
    await hostContext(site, principal, request.path.meetingId);
    return { status: 200, body: { items: await site.webhookLedger.attendance(principal.tenant.id, request.path.meetingId) } };
  }),
});
