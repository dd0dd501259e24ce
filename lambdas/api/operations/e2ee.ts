import { emptyQuery } from '../schemas/common.js';
import {
  boundDeviceResource,
  devicePath,
  deviceRegistrationSchema,
  deviceResource,
  envelopeQuery,
  envelopeResource,
  envelopeUploadSchema,
  epochPath,
  meetingDevices,
} from '../schemas/live.js';
import { meetingPath, meetingResource } from '../schemas/meetings.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

/** The contract of the `e2ee` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/devices': {
    operationId: 'registerDevice',
    summary:
      "Register a device's public keys for end-to-end meetings (self-signed; the server verifies the signature). A device id is unique in the tenant: registering one that is taken, by another user or with other keys, is 409; the same registration again by its owner is 201 and refreshes it",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    guests: true,
    query: emptyQuery,
    body: deviceRegistrationSchema,
    success: { status: 201, description: 'Registered (or the same registration refreshed)', schema: deviceResource },
  },
  'GET /v1/meetings/{meetingId}/devices': {
    operationId: 'listMeetingDevices',
    summary:
      "The devices bound to the meeting now — of participants admitted, present (joined and not yet left) and not removed — for the host's client to seal the epoch key to (the meeting's host only, not other admins)",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'Device registrations by participant, and the current epoch', schema: meetingDevices },
  },
  'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes': {
    operationId: 'uploadKeyEnvelopes',
    summary:
      "Upload one sealed media-key envelope per bound device for the current epoch (the meeting's host only, from a device they joined with); envelopes for devices not bound now are refused; the server checks shape, size and recipients, never contents",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: epochPath,
    query: emptyQuery,
    body: envelopeUploadSchema,
    maxBodyBytes: 1024 * 1024,
    success: { status: 204, description: 'Stored' },
  },
  'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope': {
    operationId: 'getKeyEnvelope',
    summary:
      "Fetch the caller's own envelope for an epoch, for the device they joined with while it is bound (never after leaving or removal); 404 until the host's client has sealed it, 409 naming `currentEpoch` for an epoch that is over",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    handsOutMedia: true,
    guests: true,
    path: epochPath,
    query: envelopeQuery,
    success: { status: 200, description: 'The envelope sealed to this device', schema: envelopeResource },
  },
  'GET /v1/meetings/{meetingId}/devices/{deviceId}/registration': {
    operationId: 'getDeviceRegistration',
    summary:
      "The signed registration of a device bound to the meeting (e.g. an envelope's sender), for admitted participants to verify envelopes without trusting on first use",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    handsOutMedia: true,
    path: devicePath,
    query: emptyQuery,
    success: { status: 200, description: "The device's participant and self-signed registration", schema: boundDeviceResource },
  },
  'POST /v1/meetings/{meetingId}/encryption/upgrade': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'upgradeMeetingEncryption',
    summary: 'Turn a standard meeting end-to-end, during the meeting too; nothing turns it back (hosts)',
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The meeting, now end-to-end, with its new epoch', schema: meetingResource, etag: true },
  },
} as const satisfies Record<string, Operation>;
