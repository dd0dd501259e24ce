import { randomBytes } from 'node:crypto';
import { OPERATIONS } from '../api/operations/breakouts.js';
import { currentMediaSite, type MediaSite } from '../media-composition.js';
import { mediaRole } from '../domain/admission.js';
import {
  breakoutOf,
  closePlan,
  expirePlan,
  inSession,
  moveParticipant,
  openPlan,
  planBreakouts,
  VISITOR_ATTRIBUTES,
  type Breakout,
  type BreakoutPlan,
} from '../domain/breakouts.js';
import { checkEnvelopeRecipients, keyRecipients, ownBinding, placementBinds } from '../domain/e2ee-devices.js';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.js';
import { admit, encryptionGrant, type EncryptionGrant } from '../domain/joining.js';
import { checkMayHoldKey, isModeratorEntry, roleIn, type Joiner, type JoinRole, type LiveState } from '../domain/live-meeting.js';
import { carryOutRoomEffects, ensureMeetingRoom } from '../http/room-effects.js';
import { opaqueRoomName } from '../../media/livekit/media-clusters.js';
import type { TenantPrincipal } from '../http/auth/tenant-user.js';
import { boundDevices, hostContext, joinerFor, joinPorts, joinSettings, keyHostContext } from '../http/join-context.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';
import type { MeetingCore } from '../store/live-state-store.js';
import { TIER_FEATURES } from '../../config/tiers.js';

const site: MediaSite = currentMediaSite();

/** The key scope of a breakout: its keys (standard) and envelopes (end to end) are bound to it, never the main room's. */
const scopeOf = (meetingId: string, breakoutId: string) => `${meetingId}-${breakoutId}`;
const newBreakoutId = () => `br_${randomBytes(6).toString('hex')}`;

function planView(meetingId: string, plan: BreakoutPlan | undefined) {
  if (!plan) return { state: 'none' as const, selfSelect: false, rooms: [] };
  return {
    state: plan.state,
    selfSelect: plan.selfSelect,
    ...(plan.returnAt && { returnAt: plan.returnAt }),
    rooms: plan.rooms.map((r) => ({ id: r.id, name: r.name, members: [...r.members], scope: scopeOf(meetingId, r.id) })),
  };
}

/** The meeting's plan as it stands now: one whose countdown has run out is closed on first sight. */
async function current(principal: TenantPrincipal, meetingId: string, live: LiveState): Promise<BreakoutPlan | undefined> {
  const plan = await site.breakoutPlans.breakoutPlan(principal.tenant.id, meetingId);
  const expired = expirePlan(plan, new Date());
  if (!expired) return plan;
  // Another request may have closed it first; either way the rooms go.
  await site.breakoutPlans.saveBreakoutPlan(principal.tenant.id, meetingId, expired.plan, plan!.version).catch(() => undefined);
  await carryOutRoomEffects(site, principal, meetingId, live, plan, expired.effects);
  return expired.plan;
}

async function breakoutEncryption(
  principal: TenantPrincipal,
  meeting: MeetingCore,
  breakout: Breakout,
  epoch: number,
): Promise<EncryptionGrant> {
  return encryptionGrant(
    {
      mediaKey: (scope, e) =>
        site.mediaKeys.keyFor({ tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn }, scope, e),
    },
    scopeOf(meeting.id, breakout.id),
    meeting.encryption,
    epoch,
  );
}

/** The node a plan's rooms are on, which outlives the main room that was there when they opened. */
function breakoutNode(live: LiveState, plan: BreakoutPlan) {
  const clusterId = plan.clusterId ?? live.clusterId;
  return clusterId ? site.clusters.get(clusterId) : undefined;
}

/**
 * A token for a breakout's room, and its key. LiveKit closes a room some
 * seconds after its last participant leaves and creates none on a join, so the
 * room is created again first if it went (one idempotent call). A host's visit
 * token says so to everyone in the room.
 */
async function breakoutGrant(
  principal: TenantPrincipal,
  meeting: MeetingCore,
  live: LiveState,
  plan: BreakoutPlan,
  breakout: Breakout,
  joiner: Joiner,
  visit = false,
) {
  const node = breakoutNode(live, plan);
  if (!node || !breakout.roomName) throw conflict('the breakout has no room');
  await ensureMeetingRoom(node, principal, breakout.roomName);
  const token = await node.mintJoinToken({
    roomName: breakout.roomName,
    identity: joiner.participantId,
    ...(visit && { attributes: VISITOR_ATTRIBUTES }),
    canPublish: true,
  });
  return {
    media: { url: node.signalUrl(), token },
    encryption: await breakoutEncryption(principal, meeting, breakout, live.epoch),
  };
}

/**
 * An end-to-end meeting places only a device the host's client can seal keys
 * to: the caller names one of their registered devices (checked before any
 * grant), and once the placement is decided it is bound as a join binds it
 * (moving between rooms may have unbound it). Without this, a placement would
 * hand out media to a participant no key reaches, and no device of theirs.
 */
async function placementDevice(principal: TenantPrincipal, joiner: Joiner, deviceId: string | undefined) {
  if (!deviceId) throw invalid('deviceId', 'an end-to-end meeting places only the device the key envelopes are for: name it');
  const registration = await site.e2ee.ownDevice(principal.tenant.id, joiner.userRef, deviceId);
  if (!registration) throw invalid('deviceId', 'is not one of your registered devices');
  return {
    bind: async (meetingId: string, role: JoinRole) => {
      const bound = await site.e2ee.meetingDevice(principal.tenant.id, meetingId, joiner.participantId);
      if (placementBinds(bound, deviceId, role))
        await site.e2ee.bindMeetingDevice(principal.tenant.id, meetingId, joiner.participantId, registration, role);
    },
  };
}

/** Those the host may assign: everyone seen in the meeting but the host asking. */
async function assignable(principal: TenantPrincipal, meetingId: string, host: Joiner): Promise<string[]> {
  return (await site.live.participantsSeen(principal.tenant.id, meetingId)).filter((p) => p !== host.participantId);
}

export const handler = routeGroup(tenantCallers(site.authenticator), {
  'GET /v1/meetings/{meetingId}/breakouts': route(OPERATIONS['GET /v1/meetings/{meetingId}/breakouts'], async (request) => {
    const principal = request.caller;
    const { live } = await hostContext(site, principal, request.path.meetingId);
    return {
      status: 200,
      body: planView(request.path.meetingId, await current(principal, request.path.meetingId, live)),
    };
  }),

  'PUT /v1/meetings/{meetingId}/breakouts': route(OPERATIONS['PUT /v1/meetings/{meetingId}/breakouts'], async (request) => {
    const principal = request.caller;
    const { meetingId } = request.path;
    const { joiner, live } = await hostContext(site, principal, meetingId);
    const before = await current(principal, meetingId, live);
    if (before && (before.state === 'open' || before.state === 'closing'))
      throw conflict('close the open breakouts before planning new ones');
    const limit = TIER_FEATURES[principal.tenant.tier].maxBreakoutRooms;
    if (limit === 0) throw forbidden(`breakout rooms are not part of the ${principal.tenant.tier} plan`);
    const plan = planBreakouts(request.body, await assignable(principal, meetingId, joiner), newBreakoutId, limit);
    const next = { ...plan, version: (before?.version ?? 0) + 1 };
    await site.breakoutPlans.saveBreakoutPlan(principal.tenant.id, meetingId, next, before?.version);
    return { status: 200, body: planView(meetingId, next) };
  }),

  'POST /v1/meetings/{meetingId}/breakouts/open': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/breakouts/open'],
    async (request) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const { live } = await hostContext(site, principal, meetingId);
      if (!live.clusterId || !live.roomName || live.ended) throw conflict('the meeting has no live room to break out of');
      const plan = await current(principal, meetingId, live);
      const opened = openPlan(plan, opaqueRoomName, live.clusterId);
      // Rooms first: a saved plan never names a room that does not exist.
      await carryOutRoomEffects(site, principal, meetingId, live, opened.plan, opened.effects);
      await site.breakoutPlans.saveBreakoutPlan(principal.tenant.id, meetingId, opened.plan, plan!.version);
      return { status: 200, body: planView(meetingId, opened.plan) };
    },
  ),

  'POST /v1/meetings/{meetingId}/breakouts/move': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/breakouts/move'],
    async (request) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const { joiner, live } = await hostContext(site, principal, meetingId);
      const plan = await current(principal, meetingId, live);
      if (!plan) throw conflict('the meeting has no breakouts');
      const moved = moveParticipant(
        plan,
        request.body.participantId,
        request.body.to,
        await assignable(principal, meetingId, joiner),
        live.roomName,
      );
      await site.breakoutPlans.saveBreakoutPlan(principal.tenant.id, meetingId, moved.plan, plan.version);
      await carryOutRoomEffects(site, principal, meetingId, live, plan, moved.effects);
      return { status: 200, body: planView(meetingId, moved.plan) };
    },
  ),

  'POST /v1/meetings/{meetingId}/breakouts/choose': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/breakouts/choose'],
    async (request) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const joiner = await joinerFor(site, principal, meetingId);
      const { meeting, live, admission } = await site.live.forJoin(principal.tenant.id, meetingId, joiner.participantId);
      if (!meeting) throw notFound('No such meeting');
      mediaRole(meeting, live, joiner, admission);
      const plan = await current(principal, meetingId, live);
      if (!plan?.selfSelect) throw conflict('these breakouts are assigned by the host');
      const moved = moveParticipant(plan, joiner.participantId, request.body.to, [joiner.participantId], live.roomName);
      await site.breakoutPlans.saveBreakoutPlan(principal.tenant.id, meetingId, moved.plan, plan.version);
      await carryOutRoomEffects(site, principal, meetingId, live, plan, moved.effects);
      return { status: 204 };
    },
  ),

  'GET /v1/meetings/{meetingId}/breakouts/mine': route(
    OPERATIONS['GET /v1/meetings/{meetingId}/breakouts/mine'],
    async (request) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const joiner = await joinerFor(site, principal, meetingId);
      const ports = joinPorts(site, principal);
      const { meeting, live, admission } = await ports.load(meetingId, joiner.participantId);
      if (!meeting) throw notFound('No such meeting');
      const role = mediaRole(meeting, live, joiner, admission);
      const device = meeting.encryption === 'e2ee' ? await placementDevice(principal, joiner, request.query.deviceId) : undefined;
      const plan = await current(principal, meetingId, live);
      const breakout = plan && inSession(plan, new Date()) ? breakoutOf(plan, joiner.participantId) : undefined;
      const state = plan?.state ?? 'none';
      const returnAt = plan?.returnAt ? { returnAt: plan.returnAt } : {};
      const choices =
        plan?.selfSelect && plan.state === 'open' ? { choices: plan.rooms.map(({ id, name }) => ({ id, name })) } : {};
      if (breakout) {
        const join = await breakoutGrant(principal, meeting, live, plan!, breakout, joiner);
        await device?.bind(meetingId, role);
        return {
          status: 200,
          body: {
            state,
            ...returnAt,
            ...choices,
            breakout: { id: breakout.id, name: breakout.name, scope: scopeOf(meetingId, breakout.id) },
            join,
          },
        };
      }
      // Not in a breakout (or back from one): the main room.
      const main = await admit(ports, joinSettings(principal), meeting, live, joiner, role);
      await device?.bind(meetingId, role);
      return {
        status: 200,
        body: { state, ...returnAt, ...choices, join: { media: main.media, encryption: main.encryption } },
      };
    },
  ),

  'GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/visit': route(
    OPERATIONS['GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/visit'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, breakoutId } = request.path;
      const { joiner, meeting, live } = await hostContext(site, principal, meetingId);
      const plan = await current(principal, meetingId, live);
      const breakout = plan?.rooms.find((r) => r.id === breakoutId);
      if (!plan || !breakout || !inSession(plan, new Date())) throw notFound('No open breakout with this id');
      // A visit is visible: the host's token is never hidden, is under the host's own pseudonym, and marks them as host.
      if (roleIn(meeting, joiner) !== 'host') throw forbidden('only hosts visit breakouts');
      if (isModeratorEntry(meeting, joiner)) throw forbidden('a moderator stays in the main room, where everyone sees them');
      const grant = await breakoutGrant(principal, meeting, live, plan, breakout, joiner, true);
      return {
        status: 200,
        body: { breakout: { id: breakout.id, name: breakout.name, scope: scopeOf(meetingId, breakout.id) }, ...grant },
      };
    },
  ),

  'POST /v1/meetings/{meetingId}/breakouts/broadcast': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/breakouts/broadcast'],
    async (request) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const { meeting, live } = await hostContext(site, principal, meetingId);
      const plan = await current(principal, meetingId, live);
      if (!plan || plan.state !== 'open') throw conflict('there are no open breakouts');
      const body = request.body;
      if (meeting.encryption === 'e2ee' && 'message' in body) {
        throw invalid('message', "an end-to-end meeting's messages are encrypted by the host's client: send ciphertext");
      }
      if (meeting.encryption !== 'e2ee' && 'ciphertext' in body)
        throw invalid('ciphertext', 'send the message text in a standard meeting');
      const node = breakoutNode(live, plan);
      if (!node) throw conflict('the meeting has no live room');
      const endsAt = body.countdownSeconds ? new Date(Date.now() + body.countdownSeconds * 1000).toISOString() : undefined;
      const payload = {
        ...('message' in body ? { message: body.message } : { ciphertext: body.ciphertext }),
        ...(endsAt && { countdownEndsAt: endsAt }),
      };
      // A room LiveKit closed (everyone left) has nobody to tell, and is skipped.
      await Promise.all(
        plan.rooms.filter((r) => r.roomName).map((r) => node.broadcast(r.roomName!, 'meetplane.broadcast', payload)),
      );
      return { status: 204 };
    },
  ),

  'POST /v1/meetings/{meetingId}/breakouts/close': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/breakouts/close'],
    async (request) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const { live } = await hostContext(site, principal, meetingId);
      const plan = await current(principal, meetingId, live);
      const closed = closePlan(plan, new Date(), request.body.countdownSeconds ?? 0);
      await site.breakoutPlans.saveBreakoutPlan(principal.tenant.id, meetingId, closed.plan, plan!.version);
      await carryOutRoomEffects(site, principal, meetingId, live, plan, closed.effects);
      return { status: 200, body: planView(meetingId, closed.plan) };
    },
  ),

  'PUT /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes': route(
    OPERATIONS['PUT /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, breakoutId, epoch } = request.path;
      const { meeting, live, joiner } = await keyHostContext(site, principal, meetingId);
      if (meeting.encryption !== 'e2ee') throw conflict('the meeting is not end-to-end encrypted');
      if (epoch !== live.epoch) throw conflict(`envelopes are accepted for the current epoch (${live.epoch}) only`);
      const plan = await current(principal, meetingId, live);
      const breakout = plan?.rooms.find((r) => r.id === breakoutId);
      if (!breakout) throw notFound('No such breakout');
      const scope = scopeOf(meetingId, breakoutId);
      request.body.envelopes.forEach((e, i) => {
        if (e.meetingId !== scope || e.epoch !== epoch)
          throw invalid(`envelopes.${i}`, "must be sealed for this breakout's scope and epoch");
      });
      const { bindings, admitted } = await boundDevices(site, principal.tenant.id, meetingId);
      const recipients = keyRecipients(bindings, live, admitted);
      const hostDevices = new Set(
        recipients.filter((b) => b.participantId === joiner.participantId).map((b) => b.registration.deviceId),
      );
      checkEnvelopeRecipients(request.body.envelopes, recipients, hostDevices);
      await site.e2ee.putEnvelopes(principal.tenant.id, request.body.envelopes);
      return { status: 204 };
    },
  ),

  'GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope': route(
    OPERATIONS['GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, breakoutId, epoch } = request.path;
      const joiner = await joinerFor(site, principal, meetingId);
      const { meeting, live, admission } = await site.live.forJoin(principal.tenant.id, meetingId, joiner.participantId);
      if (!meeting) throw notFound('No such meeting');
      checkMayHoldKey({ ...meeting, encryption: 'standard' }, live, joiner, admission, epoch);
      const plan = await current(principal, meetingId, live);
      const breakout = plan?.rooms.find((r) => r.id === breakoutId);
      // Only members of the breakout (and its hosts visiting) hold its key.
      if (!breakout || (!breakout.members.includes(joiner.participantId) && roleIn(meeting, joiner) !== 'host'))
        throw notFound('No envelope for you here');
      const { bindings, admitted } = await boundDevices(site, principal.tenant.id, meetingId);
      ownBinding(bindings, joiner.participantId, request.query.deviceId, live, admitted);
      const envelope = await site.e2ee.envelope(
        principal.tenant.id,
        scopeOf(meetingId, breakoutId),
        epoch,
        request.query.deviceId,
      );
      if (!envelope) throw notFound('No envelope for this device and epoch yet');
      return { status: 200, body: envelope };
    },
  ),
});
