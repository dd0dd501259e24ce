import { emptyQuery } from '../schemas/common.js';
import {
  deviceRegistrationSchema,
  deviceResource,
  envelopeQuery,
  envelopeResource,
  envelopeUploadSchema,
  epochPath,
  meetingDevices,
} from '../schemas/live.js';
import { meetingPath, meetingResource } from '../schemas/meetings.js';
import type { Operation } from '../operation.js';

/** The contract of the `e2ee` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/devices': {
    summary: "Register a device's public keys for end-to-end meetings (self-signed; the server verifies the signature)",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    guests: true,
    query: emptyQuery,
    body: deviceRegistrationSchema,
    success: { status: 201, description: 'Registered', schema: deviceResource },
  },
  'GET /v1/meetings/{meetingId}/devices': {
    summary: "The devices of the meeting's participants, for the host's client to seal the epoch key to (hosts)",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'Device registrations by participant, and the current epoch', schema: meetingDevices },
  },
  'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes': {
    summary:
      'Upload one sealed media-key envelope per participant device for the current epoch (hosts); the server checks shape and size only',
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: epochPath,
    query: emptyQuery,
    body: envelopeUploadSchema,
    maxBodyBytes: 1024 * 1024,
    success: { status: 204, description: 'Stored' },
  },
  'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope': {
    summary: "Fetch the caller's own envelope for an epoch (never for removed participants)",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    handsOutMedia: true,
    guests: true,
    path: epochPath,
    query: envelopeQuery,
    success: { status: 200, description: 'The envelope sealed to this device', schema: envelopeResource },
  },
  'POST /v1/meetings/{meetingId}/encryption/upgrade': {
    summary: 'Turn a standard meeting end-to-end, during the meeting too; nothing turns it back (hosts)',
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The meeting, now end-to-end, with its new epoch', schema: meetingResource },
  },
} as const satisfies Record<string, Operation>;
