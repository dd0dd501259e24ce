import { DomainError } from '../../lambdas/domain/errors.js';
import type { MeetingCore } from '../../lambdas/domain/joining.js';
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
