import { OPERATIONS } from '../api/operations/e2ee.js';
import { currentMediaSite } from '../media-composition.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { mediaRole } from '../domain/admission.js';
import { boundDevice, checkEnvelopeRecipients, keyRecipients, ownBinding } from '../domain/e2ee-devices.js';
import { checkMayHoldKey } from '../domain/live-meeting.js';
import { readableMeeting, updateMeeting } from '../domain/meeting-scheduling.js';
import { checkEncryptionAllowed, checkFeaturesFitEncryption, NO_SERVER_MEDIA } from '../domain/meeting.js';
import { etagOf } from '../domain/tenant.js';
import { boundDevices, hostContext, joinerFor, keyHostContext } from '../http/join-context.js';
import { meetingRepresentation } from '../http/meeting-representation.js';
import { tenantAndGuestCallers } from '../http/auth/callers-of.js';
import { problems } from '../http/problem.js';
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
    // One device id, one device in the tenant: a taken id is a conflict and nothing changes.
    await site.e2ee.registerDevice(principal.tenant.id, viewer.userRef, request.body);
    return { status: 201, body: { deviceId: request.body.deviceId, registered: true } };
  }),

  'GET /v1/meetings/{meetingId}/devices': route(OPERATIONS['GET /v1/meetings/{meetingId}/devices'], async (request) => {
    const principal = request.caller;
    const { meetingId } = request.path;
    const { live } = await keyHostContext(site, principal, meetingId);
    const { bindings, admitted } = await boundDevices(site, principal.tenant.id, meetingId);
    const items = keyRecipients(bindings, live, admitted).map((b) => ({
      participantId: b.participantId,
      registration: b.registration,
    }));
    return { status: 200, body: { epoch: live.epoch, items } };
  }),

  'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes': route(
    OPERATIONS['PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, epoch } = request.path;
      const { meeting, live, joiner } = await keyHostContext(site, principal, meetingId);
      if (meeting.encryption !== 'e2ee') throw conflict('the meeting is not end-to-end encrypted; its keys come from KMS');
      if (epoch !== live.epoch) throw conflict(`envelopes are accepted for the current epoch (${live.epoch}) only`);
      const envelopes = request.body.envelopes;
      envelopes.forEach((e, i) => {
        if (e.meetingId !== meetingId || e.epoch !== epoch)
          throw invalid(`envelopes.${i}`, 'names another meeting or epoch than the path');
      });
      const { bindings, admitted } = await boundDevices(site, principal.tenant.id, meetingId);
      const recipients = keyRecipients(bindings, live, admitted);
      const hostDevices = new Set(
        recipients.filter((b) => b.participantId === joiner.participantId).map((b) => b.registration.deviceId),
      );
      checkEnvelopeRecipients(envelopes, recipients, hostDevices);
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
      // Who holds media first: someone not admitted learns nothing, not even the meeting's mode.
      checkMayHoldKey({ ...meeting, encryption: 'standard' }, live, joiner, admission, epoch);
      if (meeting.encryption !== 'e2ee') throw conflict('the meeting is not end-to-end encrypted; fetch its key instead');
      // Only the device this participant joined with, while it is bound: nobody fetches another's envelope,
      // and nobody who left or was removed fetches a later one.
      const { bindings, admitted } = await boundDevices(site, principal.tenant.id, meetingId);
      ownBinding(bindings, joiner.participantId, request.query.deviceId, live, admitted);
      const envelope = await site.e2ee.envelope(principal.tenant.id, meetingId, epoch, request.query.deviceId);
      // An earlier epoch is never sealed again: the answer names the current one, so a client that missed its
      // announcement (connecting while the room rekeyed) asks for that instead of waiting for what cannot come.
      if (!envelope && epoch < live.epoch)
        throw problems.conflict(`epoch ${epoch} is over; the current epoch is ${live.epoch}`, { currentEpoch: live.epoch });
      if (!envelope) throw notFound('No envelope for this device and epoch yet');
      return { status: 200, body: envelope };
    },
  ),

  'GET /v1/meetings/{meetingId}/devices/{deviceId}/registration': route(
    OPERATIONS['GET /v1/meetings/{meetingId}/devices/{deviceId}/registration'],
    async (request) => {
      const principal = request.caller;
      const { meetingId, deviceId } = request.path;
      const joiner = await joinerFor(site, principal, meetingId);
      const { meeting, live, admission } = await site.live.forJoin(principal.tenant.id, meetingId, joiner.participantId);
      if (!meeting) throw notFound('No such meeting');
      mediaRole(meeting, live, joiner, admission);
      if (meeting.encryption !== 'e2ee') throw notFound('No such device in this meeting');
      const { bindings, admitted } = await boundDevices(site, principal.tenant.id, meetingId);
      const { participantId, registration } = boundDevice(bindings, deviceId, live, admitted);
      return { status: 200, body: { participantId, registration } };
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
      const node = live.clusterId ? site.clusters.get(live.clusterId) : undefined;
      if (node && live.roomName) await node.broadcast(live.roomName, 'meetplane.epoch', { epoch, mode: 'e2ee', rekey: true });
      return {
        status: 200,
        body: meetingRepresentation(upgraded.meeting, { isHost: upgraded.access.isHost, canManage: upgraded.access.manage }),
        headers: { etag: etagOf(upgraded.meeting.version) },
      };
    },
  ),
});
