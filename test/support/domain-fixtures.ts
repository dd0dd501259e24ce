import type { Admission } from '../../lambdas/domain/admission.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import type { JoinPorts, MeetingCore } from '../../lambdas/domain/joining.js';
import { IDLE, type Joiner, type LiveState } from '../../lambdas/domain/live-meeting.js';
import { HttpProblem } from '../../lambdas/http/problem.js';

/** A scheduled standard meeting hosted by `u_host` that invites `e_ana`, an hour from 09:00 UTC; override what a test is about. */
export function meetingCore(extra: Partial<MeetingCore> = {}): MeetingCore {
  return {
    id: 'mt_1',
    tenantId: 'tn_1',
    hostRef: 'u_host',
    inviteeRefs: ['e_ana'],
    startsAt: '2026-12-01T09:00:00Z',
    durationMinutes: 60,
    timeZone: 'Europe/Berlin',
    encryption: 'standard',
    waitingRoom: false,
    status: 'scheduled',
    createdAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
    version: 1,
    ...extra,
  } as MeetingCore;
}

/** How a call failed: a domain error's kind, an HTTP problem's status, or 'none' when it did not. */
export async function failureOf(fn: () => unknown): Promise<string | number> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DomainError) return error.kind;
    if (error instanceof HttpProblem) return error.status;
    throw error;
  }
  return 'none';
}

/**
 * Join ports over memory: one meeting and its live state, the admissions made,
 * the grants minted, the waiting-room tickets opened, and a passcode attempt
 * counter that refuses a sixth attempt and counts how many passcodes were checked.
 */
export function memoryJoinPorts(m: MeetingCore, live: LiveState = IDLE, now = new Date('2026-12-01T09:00:00Z')) {
  const admissions = new Map<string, Admission>();
  const grants: Parameters<JoinPorts['mintToken']>[1][] = [];
  const tickets: Joiner[] = [];
  let attempts = 0;
  let checked = 0;
  const ports: JoinPorts = {
    load: async (_id, participantId) => ({
      meeting: m,
      live,
      ...(participantId && admissions.has(participantId) && { admission: admissions.get(participantId)! }),
    }),
    clusters: async () => [{ id: 'fra-a', site: 'fra', status: 'active', healthy: true, participants: 0 }],
    clusterHealthy: async () => true,
    createRoom: async () => 'created' as const,
    pin: async (_m, clusterId, roomName) => ({ ...live, clusterId, roomName }),
    mintToken: async (_n, grant) => {
      grants.push(grant);
      return { url: 'ws://media', token: `token-for-${grant.identity}` };
    },
    announce: async () => undefined,
    recordModeratorEntry: async () => undefined,
    verifyPasscode: async (given, hash) => {
      checked++;
      return given === hash;
    },
    reservePasscodeAttempt: async () => {
      if (attempts >= 5) throw new DomainError('too-many', 'too many', 'passcode');
      attempts++;
    },
    clearPasscodeAttempts: async () => {
      attempts = 0;
    },
    recordAdmission: async (_m, admission) => {
      admissions.set(admission.participantId, admission);
    },
    now: () => now,
    openTicket: async (_m, joiner) => {
      tickets.push(joiner);
      return 'lt_0123456789abcdef01234567';
    },
    newRoomName: () => 'rm_x',
    mediaKey: async () => new Uint8Array(32),
  };
  return { ports, admissions, grants, tickets, checked: () => checked };
}
