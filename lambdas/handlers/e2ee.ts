import { OPERATIONS } from '../api/operations/e2ee.js';
import { currentMediaSite } from '../media-composition.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { checkMayHoldKey } from '../domain/live-meeting.js';
import { readableMeeting, updateMeeting } from '../domain/meeting-scheduling.js';
import { checkEncryptionAllowed, checkFeaturesFitEncryption, NO_SERVER_MEDIA } from '../domain/meeting.js';
import { etagOf } from '../domain/tenant.js';
import { hostContext, joinerFor } from '../http/join-context.js';
import { meetingRepresentation } from '../http/meeting-representation.js';
import { tenantAndGuestCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';
import { principalPseudonyms, schedulingFor } from '../http/tenant-context.js';
import { verifyDeviceRegistration } from '../../media/e2ee/device-keys.js';

const site = currentMediaSite();

export const handler = routeGroup(tenantAndGuestCallers(site.authenticator, site.guestTokens), {
  'POST /v1/devices': route(OPERATIONS['POST /v1/devices'], async (request) => {
    const principal = request.caller;
    // A registration whose signature does not hold is refused: the server never substitutes a key unnoticed.
    try {
      await verifyDeviceRegistration(request.body);
    } catch {
      throw invalid('signature', "does not verify with the registration's signing key");
    }
    const viewer = await principalPseudonyms(site, principal);
    await site.e2ee.putDevice(principal.tenant.id, viewer.userRef, request.body);
    return { status: 201, body: { deviceId: request.body.deviceId, registered: true } };
  }),

  'GET /v1/meetings/{meetingId}/devices': route(OPERATIONS['GET /v1/meetings/{meetingId}/devices'], async (request) => {
    const principal = request.caller;
    const { live } = await hostContext(site, principal, request.path.meetingId);
    const devices = await site.e2ee.meetingDevices(principal.tenant.id, request.path.meetingId);
    const removed = new Set(live.removed);
    return { status: 200, body: { epoch: live.epoch, items: devices.filter((d) => !removed.has(d.participantId)) } };
  }),

  'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes': route(
    OPERATIONS['PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, epoch } = request.path;
      const { meeting, live } = await hostContext(site, principal, meetingId);
      if (meeting.encryption !== 'e2ee') throw conflict('the meeting is not end-to-end encrypted; its keys come from KMS');
      if (epoch !== live.epoch) throw conflict(`envelopes are accepted for the current epoch (${live.epoch}) only`);
      const envelopes = request.body.envelopes;
      envelopes.forEach((e, i) => {
        if (e.meetingId !== meetingId || e.epoch !== epoch)
          throw invalid(`envelopes.${i}`, 'names another meeting or epoch than the path');
      });
      const viewer = await principalPseudonyms(site, principal);
      if (!(await site.e2ee.device(principal.tenant.id, viewer.userRef, envelopes[0]!.senderDeviceId))) {
        throw invalid('envelopes.0.senderDeviceId', "is not one of the host's registered devices");
      }
      const removed = new Set(live.removed);
      const recipients = new Set(
        (await site.e2ee.meetingDevices(principal.tenant.id, meetingId))
          .filter((d) => !removed.has(d.participantId))
          .map((d) => d.registration.deviceId),
      );
      envelopes.forEach((e, i) => {
        if (!recipients.has(e.recipientDeviceId))
          throw invalid(`envelopes.${i}.recipientDeviceId`, 'is not a device of a participant of this meeting');
      });
      await site.e2ee.putEnvelopes(principal.tenant.id, envelopes);
      return { status: 204 };
    },
  ),

  'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope': route(
    OPERATIONS['GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, epoch } = request.path;
      const joiner = await joinerFor(site, principal, meetingId);
      const { meeting, live, admission } = await site.live.forJoin(principal.tenant.id, meetingId, joiner.participantId);
      if (!meeting) throw notFound('No such meeting');
      checkMayHoldKey({ ...meeting, encryption: 'standard' }, live, joiner, admission, epoch);
      if (meeting.encryption !== 'e2ee') throw conflict('the meeting is not end-to-end encrypted; fetch its key instead');
      // Only the device this participant joined with: nobody fetches another participant's envelope.
      const bound = (await site.e2ee.meetingDevices(principal.tenant.id, meetingId)).find(
        (d) => d.participantId === joiner.participantId,
      );
      if (!bound || bound.registration.deviceId !== request.query.deviceId) throw notFound('No envelope for this device');
      const envelope = await site.e2ee.envelope(principal.tenant.id, meetingId, epoch, request.query.deviceId);
      if (!envelope) throw notFound('No envelope for this device and epoch yet');
      return { status: 200, body: envelope };
    },
  ),

  'POST /v1/meetings/{meetingId}/encryption/upgrade': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/encryption/upgrade'],
    async (request) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const { live } = await hostContext(site, principal, meetingId);
      const { viewer, ctx } = await schedulingFor(site, principal);
      const { meeting } = await readableMeeting(ctx, viewer, meetingId);
      if (meeting.encryption === 'e2ee') throw conflict('the meeting is already end-to-end encrypted');
      checkEncryptionAllowed(principal.tenant.tier, 'e2ee');
      checkFeaturesFitEncryption('e2ee', { ...NO_SERVER_MEDIA, ...meeting.features });
      const upgraded = await updateMeeting(ctx, viewer, meetingId, meeting.version, { encryption: 'e2ee' });
      // A new epoch: from here on, keys come only from the host's client.
      const epoch = await site.live.rotate(principal.tenant.id, meetingId);
      const node = live.nodeId ? site.nodes.get(live.nodeId) : undefined;
      if (node && live.roomName) await node.broadcast(live.roomName, 'meetplane.epoch', { epoch, mode: 'e2ee', rekey: true });
      return {
        status: 200,
        body: meetingRepresentation(upgraded.meeting, { isHost: upgraded.access.isHost, canManage: upgraded.access.manage }),
        headers: { etag: etagOf(upgraded.meeting.version) },
      };
    },
  ),
});
