import { admitFromLobby, checkMayBeAdmitted, mediaRole, newAdmission, type Admission } from '../../lambdas/domain/admission.js';
import { joinMeeting, type MeetingCore } from '../../lambdas/domain/joining.js';
import { IDLE, roomSettings, type Joiner, type LiveState } from '../../lambdas/domain/live-meeting.js';
import { failureOf, meetingCore, memoryJoinPorts } from '../support/domain-fixtures.js';

const host: Joiner = { userRef: 'u_host', participantId: 'p_host', admin: false, host: true };
const invitee: Joiner = { userRef: 'u_ana', emailRef: 'e_ana', participantId: 'p_ana', admin: false, host: false };
const stranger: Joiner = { userRef: 'u_zed', emailRef: 'e_zed', participantId: 'p_zed', admin: false, host: false };

const meeting = meetingCore;

const kindOf = failureOf;

const admitted = (p: Joiner, live: LiveState = IDLE): Admission => newAdmission(p.participantId, live, 'join', new Date());

describe('who may hold media: one decision', () => {
  it('gives hosts media by their role, and anyone else only with their own admission', () => {
    expect(mediaRole(meeting(), IDLE, host, undefined)).toBe('host');
    expect(mediaRole(meeting(), IDLE, invitee, admitted(invitee))).toBe('participant');
    expect(() => mediaRole(meeting(), IDLE, invitee, undefined)).toThrow(/not been admitted/);
    expect(() => mediaRole(meeting(), IDLE, invitee, admitted(stranger))).toThrow(/not been admitted/);
  });

  it('holds nothing for someone removed, even with an admission, nor in an ended or cancelled meeting', async () => {
    const removed: LiveState = { ...IDLE, removed: ['p_ana'] };
    expect(await kindOf(() => mediaRole(meeting(), removed, invitee, admitted(invitee)))).toBe('forbidden');
    expect(await kindOf(() => mediaRole(meeting(), { ...IDLE, ended: true }, invitee, admitted(invitee)))).toBe('conflict');
    expect(await kindOf(() => mediaRole(meeting({ status: 'cancelled' }), IDLE, invitee, admitted(invitee)))).toBe('conflict');
  });

  it('hides the meeting from someone it does not invite', async () => {
    expect(await kindOf(() => mediaRole(meeting(), IDLE, stranger, admitted(stranger)))).toBe('not-found');
    expect(mediaRole(meeting({ inviteeRefs: [] }), IDLE, stranger, admitted(stranger))).toBe('participant');
  });

  it('lets a lock stop new admissions but not those already admitted', async () => {
    const locked: LiveState = { ...IDLE, locked: true };
    expect(await kindOf(() => checkMayBeAdmitted(meeting(), locked, invitee))).toBe('forbidden');
    expect(checkMayBeAdmitted(meeting(), locked, host)).toBe('host');
    expect(mediaRole(meeting(), locked, invitee, admitted(invitee))).toBe('participant');
    expect(await kindOf(() => admitFromLobby(locked, 'p_ana', new Date()))).toBe('conflict');
    expect(await kindOf(() => admitFromLobby({ ...IDLE, removed: ['p_ana'] }, 'p_ana', new Date()))).toBe('conflict');
    expect(admitFromLobby({ ...IDLE, epoch: 7 }, 'p_ana', new Date())).toMatchObject({
      participantId: 'p_ana',
      epoch: 7,
      via: 'lobby',
    });
  });
});

const memoryPorts = (m: MeetingCore, live: LiveState = IDLE) => memoryJoinPorts(m, live);

const settings = { homeSite: 'fra' as const, allowedSites: [], displayNames: false, room: roomSettings('business', 100) };

describe('joining creates the admission', () => {
  it('admits a participant who passes the passcode, and lets them back in without it', async () => {
    const { ports, admissions } = memoryPorts(meeting({ passcodeHash: 'right-passcode' }));
    expect(await kindOf(() => joinMeeting(ports, settings, invitee, 'mt_1', {}))).toBe('forbidden');
    expect(await kindOf(() => joinMeeting(ports, settings, invitee, 'mt_1', { passcode: 'wrong-one' }))).toBe('forbidden');
    expect(admissions.size).toBe(0);
    const outcome = await joinMeeting(ports, settings, invitee, 'mt_1', { passcode: 'right-passcode' });
    expect(outcome.status).toBe('admitted');
    expect(admissions.get('p_ana')).toMatchObject({ via: 'join', epoch: 0 });
    expect((await joinMeeting(ports, settings, invitee, 'mt_1', {})).status).toBe('admitted');
  });

  it('reserves an attempt before each check, so no more than the limit are ever evaluated', async () => {
    const { ports, checked } = memoryPorts(meeting({ passcodeHash: 'right-passcode' }));
    const results = await Promise.all(
      Array.from({ length: 50 }, () => kindOf(() => joinMeeting(ports, settings, invitee, 'mt_1', { passcode: 'guess-000' }))),
    );
    expect(checked()).toBe(5);
    expect(results.filter((r) => r === 'too-many')).toHaveLength(45);
  });

  it('puts a participant behind a waiting room with a ticket and no admission', async () => {
    const { ports, admissions } = memoryPorts(meeting({ waitingRoom: true }));
    expect(await joinMeeting(ports, settings, invitee, 'mt_1', {})).toEqual({ status: 'waiting', ticket: expect.any(String) });
    expect(admissions.size).toBe(0);
    // The host comes straight in, and holds no admission: the role is theirs.
    expect((await joinMeeting(ports, settings, host, 'mt_1', {})).status).toBe('admitted');
    expect(admissions.size).toBe(0);
  });

  it('admits nobody new into a locked meeting', async () => {
    const { ports, admissions } = memoryPorts(meeting(), { ...IDLE, locked: true });
    expect(await kindOf(() => joinMeeting(ports, settings, invitee, 'mt_1', {}))).toBe('forbidden');
    expect(admissions.size).toBe(0);
  });
});
