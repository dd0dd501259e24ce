import { randomBytes } from 'node:crypto';
import { TIER_FEATURES } from '../../config/tiers.js';
import type { Site } from '../composition.js';
import type { MediaSite } from '../media-composition.js';
import type { JoinPorts, JoinSettings } from '../domain/joining.js';
import { checkRunsKeys } from '../domain/e2ee-devices.js';
import { forbidden, notFound } from '../domain/errors.js';
import { PASSCODE_ATTEMPTS, PASSCODE_WINDOW_SECONDS, roleIn, roomSettings, type Joiner } from '../domain/live-meeting.js';
import { opaqueRoomName } from '../../media/livekit/media-clusters.js';
import { verifyPasscode } from '../domain/passcode.js';
import type { MediaClusterState } from '../domain/placement.js';
import type { LiveState } from '../domain/live-meeting.js';
import type { Admission } from '../domain/admission.js';
import type { ClusterStatus } from '../store/cluster-status-store.js';
import { readForPlacement } from '../store/placement-reads.js';
import type { TenantPrincipal } from './auth/tenant-user.js';
import type { TenantOrGuest } from './callers.js';
import { principalPseudonyms } from './tenant-context.js';
import { DeadlineExceeded, isDependencyUnavailable } from './dependency-errors.js';

/**
 * The joiner in the tenant's pseudonyms: their participant id is a keyed hash
 * of their subject, per meeting. A guest exists for their own meeting only:
 * any other is 404 to them, as if it did not exist.
 */
export async function joinerFor(site: Site, principal: TenantOrGuest, meetingId: string): Promise<Joiner> {
  if ('kind' in principal && principal.meetingId !== meetingId) throw notFound('No such meeting');
  const { userRef, emailRef, participantIdIn } = await principalPseudonyms(site, principal);
  if ('kind' in principal) return { userRef, participantId: participantIdIn(meetingId), admin: false, host: false, guest: true };
  return {
    userRef,
    ...(emailRef !== undefined && { emailRef }),
    participantId: participantIdIn(meetingId),
    admin: principal.roles.has('admin'),
    host: principal.roles.has('host'),
  };
}

export function joinSettings(principal: TenantOrGuest): JoinSettings {
  const tenant = principal.tenant;
  return {
    homeSite: tenant.homeSite,
    allowedSites: tenant.allowedSites,
    displayNames: tenant.displayNames,
    room: roomSettings(tenant.tier, TIER_FEATURES[tenant.tier].maxParticipants),
  };
}

/** How old a cluster's load may be when a meeting is placed (webhooks report it seconds late anyway). */
export const CLUSTER_LOAD_MAX_AGE_MS = 5000;

/**
 * The join rules' ports, bound to this site's stores and media clusters for
 * one tenant. One join's reads are shared between its ports: the live state
 * `load` read is what the pin's transaction holds to, and the placement's
 * read of the clusters' statuses also fetches the epoch's wrapped media key.
 */
export function joinPorts(site: MediaSite, principal: TenantOrGuest): JoinPorts {
  const tenantId = principal.tenant.id;
  const read: {
    meetingId?: string;
    live?: LiveState;
    wrappedKey?: { epoch: number; wrapped: Uint8Array | undefined };
    /** An admission held back to be written with the pin that the join is about to make. */
    pending?: { meetingId: string; admission: Admission };
  } = {};
  /** Writes a held-back admission: nothing hands out media before the admission that lets it out is stored. */
  const writePending = async () => {
    const pending = read.pending;
    if (!pending) return;
    await site.live.admit(tenantId, pending.meetingId, pending.admission);
    delete read.pending;
  };
  const node = (clusterId: string) => {
    const found = site.clusters.get(clusterId);
    if (!found) throw new Error('meeting pinned to a cluster this site does not know');
    return found;
  };
  return {
    load: async (meetingId, participantId) => {
      const loaded = await site.live.forJoin(tenantId, meetingId, participantId);
      Object.assign(read, { meetingId, live: loaded.live });
      return loaded;
    },
    clusters: async () => {
      if (read.meetingId === undefined || read.live === undefined) return mediaClusterStates(site);
      const { epoch } = read.live;
      const placement = await readForPlacement(site.clients.dynamodb, site.config.tableName, {
        clusterIds: [...site.clusters.keys()],
        tenantId,
        meetingId: read.meetingId,
        epoch,
      });
      read.wrappedKey = { epoch, wrapped: placement.wrappedKey };
      return mediaClusterStates(site, placement.statuses);
    },
    clusterHealthy: async (clusterId) => site.clusters.has(clusterId) && (await node(clusterId).healthy()),
    createRoom: async (clusterId, roomName, settings) => {
      const cluster = node(clusterId);
      try {
        await cluster.ensureRoom({
          name: roomName,
          emptyTimeoutSeconds: settings.emptyTimeoutSeconds,
          departureTimeoutSeconds: settings.departureTimeoutSeconds,
          maxParticipants: settings.maxParticipants,
        });
        return 'created';
      } catch (error) {
        // No time left in the request's budget is no fault of this cluster's, and no other would do better.
        if (error instanceof DeadlineExceeded && !error.started) throw error;
        if (!isDependencyUnavailable(error)) throw error;
        cluster.markUnhealthy();
        return 'unavailable';
      }
    },
    pin: async (meetingId, clusterId, roomName, replacing) => {
      const known = read.meetingId === meetingId && read.live ? read.live : await site.live.live(tenantId, meetingId);
      const admitting = read.pending?.meetingId === meetingId ? read.pending.admission : undefined;
      const pinned = await site.live.pin(tenantId, meetingId, clusterId, roomName, replacing, known, admitting);
      delete read.pending;
      return pinned;
    },
    mintToken: async (clusterId, grant) => {
      await writePending();
      return { url: node(clusterId).signalUrl(), token: await node(clusterId).mintJoinToken(grant) };
    },
    announce: (clusterId, roomName, topic, payload) => node(clusterId).broadcast(roomName, topic, payload),
    recordModeratorEntry: async (meetingId, moderator) => {
      await site.tenants.appendAudit(tenantId, {
        actor: { type: 'user', id: moderator.userRef },
        action: 'meeting.moderator-join',
        target: `meetings/${meetingId}`,
        reason: 'an admin entered a meeting they were not invited to, visibly as moderator',
        details: { participantId: moderator.participantId },
      });
    },
    verifyPasscode: (passcode, hash) => verifyPasscode(passcode, hash),
    reservePasscodeAttempt: (meetingId, participantId) =>
      site.lobby.reservePasscodeAttempt(tenantId, meetingId, participantId, PASSCODE_ATTEMPTS, PASSCODE_WINDOW_SECONDS),
    clearPasscodeAttempts: (meetingId, participantId) => site.lobby.clearPasscodeAttempts(tenantId, meetingId, participantId),
    // A meeting not yet pinned is placed by this join next: its admission goes into the pin's transaction.
    recordAdmission: async (meetingId, admission) => {
      if (read.meetingId === meetingId && read.live && read.live.clusterId === undefined) read.pending = { meetingId, admission };
      else await site.live.admit(tenantId, meetingId, admission);
    },
    now: () => new Date(),
    openTicket: async (meetingId, joiner, { displayName, deviceId }) => {
      const ticket = `lt_${randomBytes(12).toString('hex')}`;
      const sealedName =
        principal.tenant.displayNames && displayName !== undefined
          ? await site.cipher.seal({ tenantId, keyArn: principal.tenant.key.keyArn }, 'participant', { displayName })
          : undefined;
      await site.lobby.putTicket(tenantId, {
        ticket,
        meetingId,
        participantId: joiner.participantId,
        userRef: joiner.userRef,
        status: 'waiting',
        since: new Date().toISOString(),
        ...(deviceId !== undefined && { deviceId }),
        ...(sealedName && { sealedName }),
        ...(joiner.guest && { guest: true }),
      });
      return ticket;
    },
    mediaKey: (meetingId, epoch) =>
      site.mediaKeys.keyFor(
        { tenantId, keyArn: principal.tenant.key.keyArn },
        meetingId,
        epoch,
        read.meetingId === meetingId && read.wrappedKey?.epoch === epoch ? read.wrappedKey : undefined,
      ),
    newRoomName: opaqueRoomName,
  };
}

/**
 * Every cluster this site may use, with its operator status, probed health
 * and webhook-reported load. For a placement, the caller has read the
 * statuses, and a load read at most CLUSTER_LOAD_MAX_AGE_MS ago will do.
 */
export async function mediaClusterStates(
  site: MediaSite,
  placementStatuses?: Map<string, ClusterStatus>,
): Promise<MediaClusterState[]> {
  const statuses = placementStatuses ?? (await site.clusterStatus.clusterStatuses());
  return Promise.all(
    [...site.clusters.values()].map(async (n) => ({
      id: n.id,
      site: n.config.site,
      status: statuses.get(n.id) ?? 'active',
      healthy: await n.healthy(),
      participants: placementStatuses
        ? await site.clusterStatus.recentClusterLoad(n.id, CLUSTER_LOAD_MAX_AGE_MS)
        : await site.clusterStatus.clusterLoad(n.id),
    })),
  );
}

/**
 * The meeting and its live state for one of its hosts (admins, or the host who
 * scheduled it). Someone invited learns they may not (403); anyone else cannot
 * tell the meeting exists (404).
 */
export async function hostContext(site: Site, principal: TenantPrincipal, meetingId: string) {
  const joiner = await joinerFor(site, principal, meetingId);
  const { meeting, live } = await site.live.forJoin(principal.tenant.id, meetingId);
  if (!meeting) throw notFound('No such meeting');
  if (roleIn(meeting, joiner) !== 'host') {
    const invited =
      meeting.inviteeRefs.length === 0 || (joiner.emailRef !== undefined && meeting.inviteeRefs.includes(joiner.emailRef));
    throw invited ? forbidden("only the meeting's hosts may do this") : notFound('No such meeting');
  }
  return { joiner, meeting, live };
}

/**
 * The meeting and its live state for the one who runs its end-to-end keys:
 * its host, never another admin (see domain/e2ee-devices.ts). An admin who is
 * not the host is refused with 403; anyone else as by `hostContext`.
 */
export async function keyHostContext(site: Site, principal: TenantPrincipal, meetingId: string) {
  const context = await hostContext(site, principal, meetingId);
  checkRunsKeys(context.meeting, context.joiner);
  return context;
}

/** The devices bound to a meeting and who holds an admission to it now: what every key-list decision reads. */
export async function boundDevices(site: Site, tenantId: string, meetingId: string) {
  const [bindings, admitted] = await Promise.all([
    site.e2ee.meetingDevices(tenantId, meetingId),
    site.live.admittedParticipants(tenantId, meetingId),
  ]);
  return { bindings, admitted };
}
