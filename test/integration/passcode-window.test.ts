import { randomUUID } from 'node:crypto';
import { siteTableName } from '../../config/tables.js';
import { DEFAULT_RETENTION } from '../../lambdas/domain/retention.js';
import { PASSCODE_ATTEMPTS, PASSCODE_WINDOW_SECONDS } from '../../lambdas/domain/live-meeting.js';
import { LobbyStore } from '../../lambdas/store/lobby-store.js';
import type { AdmissionItems } from '../../lambdas/store/live-state-store.js';
import { dynamodbOf } from '../support/stack.js';

/**
 * The passcode attempt limit against DynamoDB Local, with the store's clock in
 * the test's hand: it holds within a window, the window re-arms once it has
 * passed (and then holds again), and a success clears the count.
 */
/** Passcode attempts write no admission; a store that made one here would be a bug. */
function noAdmissions(): AdmissionItems {
  return {
    admissionItem: () => {
      throw new Error('no admission is written by a passcode attempt');
    },
  };
}

let nowMs = Date.parse('2026-12-06T12:00:00Z');
const store = new LobbyStore(
  dynamodbOf('fra'),
  siteTableName('fra'),
  async () => DEFAULT_RETENTION,
  noAdmissions(),
  () => nowMs,
);
const tenantId = `tn_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
const meetingId = `mt_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
const participantId = `p_${randomUUID().replace(/-/g, '')}`;

/** How many of `count` attempts the store lets through now. */
async function allowed(count: number): Promise<number> {
  let passed = 0;
  for (let i = 0; i < count; i++) {
    await store.reservePasscodeAttempt(tenantId, meetingId, participantId, PASSCODE_ATTEMPTS, PASSCODE_WINDOW_SECONDS).then(
      () => passed++,
      (error: Error & { status?: number }) => {
        if (!/too many wrong passcodes/.test(error.message)) throw error;
      },
    );
  }
  return passed;
}

describe('the passcode attempt window', () => {
  it('holds within a window, re-arms once it has passed, and holds again', async () => {
    expect(await allowed(PASSCODE_ATTEMPTS + 3)).toBe(PASSCODE_ATTEMPTS);
    nowMs += (PASSCODE_WINDOW_SECONDS - 1) * 1000;
    expect(await allowed(1)).toBe(0);
    nowMs += 2000;
    expect(await allowed(PASSCODE_ATTEMPTS + 3)).toBe(PASSCODE_ATTEMPTS);
    nowMs += (PASSCODE_WINDOW_SECONDS + 1) * 1000;
    expect(await allowed(PASSCODE_ATTEMPTS + 1)).toBe(PASSCODE_ATTEMPTS);
  });

  it('starts afresh after a success clears the count', async () => {
    nowMs += (PASSCODE_WINDOW_SECONDS + 1) * 1000;
    expect(await allowed(PASSCODE_ATTEMPTS - 1)).toBe(PASSCODE_ATTEMPTS - 1);
    await store.clearPasscodeAttempts(tenantId, meetingId, participantId);
    expect(await allowed(PASSCODE_ATTEMPTS + 2)).toBe(PASSCODE_ATTEMPTS);
  });
});
