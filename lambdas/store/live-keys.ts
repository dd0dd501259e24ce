import { tenantPk } from './tenant-store.js';

/*
 * The key layout of a meeting's live records, shared by the live stores
 * (live-state, breakout-plan, lobby, webhook-ledger, node-status). Tenant
 * records sit in the tenant's partition under a per-meeting prefix; the room
 * index, webhook ledger and node records hold only opaque ids.
 */

export const meetingKey = (tenantId: string, meetingId: string) => ({ pk: tenantPk(tenantId), sk: `M#${meetingId}` });
export const liveKey = (tenantId: string, meetingId: string) => ({ pk: tenantPk(tenantId), sk: `LIVE#${meetingId}` });
export const admissionKey = (tenantId: string, meetingId: string, participantId: string) => ({
  pk: tenantPk(tenantId),
  sk: `ADM#${meetingId}#${participantId}`,
});
/** The sort-key prefix of every admission to a meeting. */
export const admissionPrefix = (meetingId: string) => `ADM#${meetingId}#`;
export const passcodeKey = (tenantId: string, meetingId: string, participantId: string) => ({
  pk: tenantPk(tenantId),
  sk: `PASS#${meetingId}#${participantId}`,
});
export const ticketKey = (tenantId: string, meetingId: string, ticket: string) => ({
  pk: tenantPk(tenantId),
  sk: `LOBBY#${meetingId}#${ticket}`,
});
/** The sort-key prefix of every lobby ticket of a meeting. */
export const ticketPrefix = (meetingId: string) => `LOBBY#${meetingId}#`;
export const breakoutKey = (tenantId: string, meetingId: string) => ({ pk: tenantPk(tenantId), sk: `BRK#${meetingId}` });
export const attendanceKey = (tenantId: string, meetingId: string, sessionId: string) => ({
  pk: tenantPk(tenantId),
  sk: `ATT#${meetingId}#${sessionId}`,
});
/** The sort-key prefix of every attendance record of a meeting. */
export const attendancePrefix = (meetingId: string) => `ATT#${meetingId}#`;
export const roomKey = (roomName: string) => ({ pk: `ROOM#${roomName}`, sk: 'ROOM' });
export const webhookEventKey = (eventId: string) => ({ pk: `WEBHOOK#${eventId}`, sk: 'EVENT' });
export const clusterLoadPk = (clusterId: string) => `MEDIA#LOAD#${clusterId}`;
export const clusterLoadKey = (clusterId: string, roomName: string) => ({ pk: clusterLoadPk(clusterId), sk: roomName });
export const CLUSTERS_PK = 'MEDIA#NODES';
export const clusterStatusKey = (clusterId: string) => ({ pk: CLUSTERS_PK, sk: clusterId });

/** Whether an item read together with others (forJoin's batch) is the meeting or an admission. */
export const isMeetingSk = (sk: string) => sk.startsWith('M#');
export const isAdmissionSk = (sk: string) => sk.startsWith('ADM#');

/** Unix seconds `seconds` from `nowMs`: the TTL of a record kept a fixed time. */
export const expiresIn = (nowMs: number, seconds: number) => Math.floor(nowMs / 1000) + seconds;
