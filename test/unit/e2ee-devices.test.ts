import {
  boundDevice,
  checkEnvelopeRecipients,
  checkRunsKeys,
  CLOCK_SKEW_MS,
  keyRecipients,
  leaveUnbinds,
  ownBinding,
  placementBinds,
  receivesKeys,
  runsKeys,
  type DeviceBinding,
} from '../../lambdas/domain/e2ee-devices.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import { roleIn } from '../../lambdas/domain/admission.js';
import { IDLE, type Joiner } from '../../lambdas/domain/live-meeting.js';

const registration = (deviceId: string) => ({
  deviceId,
  hpkePublicKey: 'h'.repeat(43),
  signingPublicKey: 's'.repeat(43),
  signature: 'x'.repeat(86),
});
const binding = (participantId: string, deviceId: string, extra: Partial<DeviceBinding> = {}): DeviceBinding => ({
  participantId,
  registration: registration(deviceId),
  role: 'participant',
  boundAt: 1_000_000,
  ...extra,
});

const host: Joiner = { userRef: 'u_host', participantId: 'p_host', admin: false, host: true };
const admin: Joiner = { userRef: 'u_admin', participantId: 'p_admin', admin: true, host: true };

function errorOf(fn: () => unknown): DomainError | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  return undefined;
}

describe('who runs the keys of an end-to-end meeting', () => {
  const meeting = { hostRef: 'u_host' };

  it('is the meeting host only: an admin moderates it as a host but does not run its keys', () => {
    expect(runsKeys(meeting, host)).toBe(true);
    expect(roleIn(meeting, admin)).toBe('host');
    expect(runsKeys(meeting, admin)).toBe(false);
    expect(errorOf(() => checkRunsKeys(meeting, admin))?.kind).toBe('forbidden');
    expect(errorOf(() => checkRunsKeys(meeting, host))).toBeUndefined();
  });
});

describe('which devices get the next key', () => {
  const bindings = [
    binding('p_host', 'dv_host', { role: 'host' }),
    binding('p_ana', 'dv_ana'),
    binding('p_ben', 'dv_ben'),
    binding('p_cai', 'dv_cai'),
  ];

  it('is the bound devices of hosts by role and of participants with a standing admission, never of someone removed', () => {
    const live = { ...IDLE, removed: ['p_ben'] };
    const admitted = new Set(['p_ana', 'p_ben']);
    expect(keyRecipients(bindings, live, admitted).map((b) => b.participantId)).toEqual(['p_host', 'p_ana']);
    // p_cai joined once but their admission is gone (expired): no key.
    expect(receivesKeys(bindings[3]!, live, admitted)).toBe(false);
    // A host removed from their own meeting gets nothing either.
    expect(receivesKeys(bindings[0]!, { removed: ['p_host'] }, admitted)).toBe(false);
  });

  it('refuses an upload naming a device not bound now, and says which envelope', () => {
    const recipients = keyRecipients(bindings, IDLE, new Set(['p_ana']));
    const hostDevices = new Set(['dv_host']);
    const envelope = (recipientDeviceId: string, senderDeviceId = 'dv_host') => ({ recipientDeviceId, senderDeviceId });
    expect(errorOf(() => checkEnvelopeRecipients([envelope('dv_host'), envelope('dv_ana')], recipients, hostDevices))).toBe(
      undefined,
    );
    const left = errorOf(() => checkEnvelopeRecipients([envelope('dv_ana'), envelope('dv_gone')], recipients, hostDevices));
    expect(left).toMatchObject({ kind: 'invalid', field: 'envelopes.1.recipientDeviceId' });
    const notAdmitted = errorOf(() => checkEnvelopeRecipients([envelope('dv_cai')], recipients, hostDevices));
    expect(notAdmitted).toMatchObject({ kind: 'invalid', field: 'envelopes.0.recipientDeviceId' });
  });

  it('takes envelopes only from one device the host joined with, the one participants can fetch to verify', () => {
    const recipients = keyRecipients(bindings, IDLE, new Set(['p_ana']));
    const fromAna = errorOf(() =>
      checkEnvelopeRecipients([{ recipientDeviceId: 'dv_host', senderDeviceId: 'dv_ana' }], recipients, new Set(['dv_host'])),
    );
    expect(fromAna).toMatchObject({ kind: 'invalid', field: 'envelopes.0.senderDeviceId' });
    const mixed = errorOf(() =>
      checkEnvelopeRecipients(
        [
          { recipientDeviceId: 'dv_host', senderDeviceId: 'dv_host' },
          { recipientDeviceId: 'dv_ana', senderDeviceId: 'dv_other' },
        ],
        recipients,
        new Set(['dv_host']),
      ),
    );
    expect(mixed).toMatchObject({ kind: 'invalid', field: 'envelopes.1.senderDeviceId' });
  });

  it('lets a participant fetch only with their own device while it is bound', () => {
    const admitted = new Set(['p_ana']);
    expect(ownBinding(bindings, 'p_ana', 'dv_ana', IDLE, admitted).registration.deviceId).toBe('dv_ana');
    expect(errorOf(() => ownBinding(bindings, 'p_ana', 'dv_host', IDLE, admitted))?.kind).toBe('not-found');
    expect(errorOf(() => ownBinding(bindings, 'p_dan', 'dv_dan', IDLE, admitted))?.kind).toBe('not-found');
    expect(errorOf(() => ownBinding(bindings, 'p_ana', 'dv_ana', { removed: ['p_ana'] }, admitted))?.kind).toBe('not-found');
  });

  it("hands out a bound device's registration, and nothing about a device that is not bound now", () => {
    const admitted = new Set(['p_ana']);
    expect(boundDevice(bindings, 'dv_host', IDLE, admitted)).toMatchObject({ participantId: 'p_host' });
    expect(errorOf(() => boundDevice(bindings, 'dv_cai', IDLE, admitted))?.kind).toBe('not-found');
    expect(errorOf(() => boundDevice(bindings, 'dv_nobody', IDLE, admitted))?.kind).toBe('not-found');
  });
});

describe("when a participant's leave unbinds their device", () => {
  const bound = { participantId: 'p_ana', boundAt: 10_000 };
  const left = { participantId: 'p_ana', joinedAt: '2026-12-01T09:00:00Z', leftAt: '2026-12-01T09:30:00Z' };

  it('unbinds when their last session in the meeting ends', () => {
    expect(leaveUnbinds(bound, 10_400, [left])).toBe(true);
    // LiveKit's clock a little ahead of or behind the control plane's makes no difference.
    expect(leaveUnbinds(bound, 10_000 - CLOCK_SKEW_MS, [left])).toBe(true);
    expect(leaveUnbinds(bound, undefined, [left])).toBe(true);
  });

  it('keeps the binding while another session of theirs is open (a reconnect, or a breakout joined first)', () => {
    const open = { participantId: 'p_ana', joinedAt: '2026-12-01T09:29:00Z' };
    expect(leaveUnbinds(bound, 10_400, [left, open])).toBe(false);
    // Someone else's open session is not theirs.
    expect(leaveUnbinds(bound, 10_400, [left, { ...open, participantId: 'p_ben' }])).toBe(true);
  });

  it('keeps a binding made by a later join: a late event about an old session does not unbind the rejoined device', () => {
    expect(leaveUnbinds({ ...bound, boundAt: 10_400 + CLOCK_SKEW_MS + 1 }, 10_400, [left])).toBe(false);
  });

  it('does not count a session whose leave arrived before its join as open', () => {
    expect(leaveUnbinds(bound, 10_400, [{ participantId: 'p_ana', leftAt: '2026-12-01T09:30:00Z' }])).toBe(true);
  });
});

describe('when a placement binds the device it names', () => {
  const bound = binding('p_ana', 'dv_ana');

  it('binds a participant whose leave between rooms unbound them, or who now names another device', () => {
    expect(placementBinds(undefined, 'dv_ana', 'participant')).toBe(true);
    expect(placementBinds(bound, 'dv_ana_laptop', 'participant')).toBe(true);
    expect(placementBinds(bound, 'dv_ana', 'host')).toBe(true);
  });

  it('leaves a binding of this very device as it is, so that asking every few seconds writes nothing', () => {
    expect(placementBinds(bound, 'dv_ana', 'participant')).toBe(false);
  });
});
