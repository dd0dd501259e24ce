import { conflict, forbidden, notFound } from './errors.js';
import type { Joiner, JoinRole, LiveState } from './live-meeting.js';
import type { Meeting } from './meeting.js';

/**
 * Admission is the one answer to "may this person hold media for this
 * meeting?". Passing the invitation, the passcode, the waiting room and the
 * lock once creates an admission for that participant; every route that hands
 * out a media token, a media key or a key envelope, for the main room or any
 * breakout, asks `mediaRole` and nothing else. A lock stops new admissions; a
 * removal revokes one.
 */
export interface Admission {
  readonly participantId: string;
  /** The key epoch the admission began in. */
  readonly epoch: number;
  readonly since: string;
  /** How it was granted: straight through a join, or by a host from the waiting room. */
  readonly via: 'join' | 'lobby';
}

type MeetingFacts = Pick<Meeting, 'hostRef' | 'inviteeRefs' | 'status'>;

/** Admins and the meeting's host run it; everyone else joins as a participant, and a guest never runs anything. */
export function roleIn(meeting: Pick<Meeting, 'hostRef'>, joiner: Joiner): JoinRole {
  if (joiner.guest) return 'participant';
  return joiner.admin || meeting.hostRef === joiner.userRef ? 'host' : 'participant';
}

/**
 * Whether the meeting lets this user in at all: it invites them, or invites
 * nobody and so the whole tenant. A guest's invitation is the link they
 * redeemed, which was for this meeting only (their principal names no other).
 */
export function isInvited(meeting: Pick<Meeting, 'inviteeRefs'>, joiner: Pick<Joiner, 'emailRef' | 'guest'>): boolean {
  if (joiner.guest) return true;
  return meeting.inviteeRefs.length === 0 || (joiner.emailRef !== undefined && meeting.inviteeRefs.includes(joiner.emailRef));
}

/**
 * What holds for anyone before any question of media: the meeting is theirs
 * to see (else it does not exist for them), not cancelled, not ended, and
 * they were not removed from it.
 */
export function checkMeetingOpenTo(meeting: MeetingFacts, live: LiveState, joiner: Joiner): JoinRole {
  const role = roleIn(meeting, joiner);
  if (role !== 'host' && !isInvited(meeting, joiner)) throw notFound('No such meeting');
  if (meeting.status === 'cancelled') throw conflict('the meeting is cancelled');
  if (live.ended) throw conflict('the meeting has ended');
  if (live.removed.includes(joiner.participantId)) throw forbidden('you were removed from this meeting');
  return role;
}

/**
 * Whether a new admission may be created now: a locked meeting admits no one
 * new (hosts come in regardless; they hold no admission, their role is theirs).
 */
export function checkMayBeAdmitted(meeting: MeetingFacts, live: LiveState, joiner: Joiner): JoinRole {
  const role = checkMeetingOpenTo(meeting, live, joiner);
  if (live.locked && role !== 'host') throw forbidden('the meeting is locked');
  return role;
}

/**
 * The decision every media route asks: hosts hold media by their role; anyone
 * else only with their own admission. Someone invited but not admitted (a
 * passcode not given, a waiting room not passed, a lock that came first) and
 * someone removed hold nothing. A lock does not shut out those already
 * admitted: they need each new key.
 */
export function mediaRole(meeting: MeetingFacts, live: LiveState, joiner: Joiner, admission: Admission | undefined): JoinRole {
  const role = checkMeetingOpenTo(meeting, live, joiner);
  if (role === 'host') return role;
  if (!admission || admission.participantId !== joiner.participantId)
    throw forbidden('you have not been admitted to this meeting; join it first');
  return role;
}

/** A new admission, beginning in the meeting's current epoch. */
export function newAdmission(participantId: string, live: LiveState, via: Admission['via'], now: Date): Admission {
  return { participantId, epoch: live.epoch, since: now.toISOString(), via };
}

/**
 * A host admitting someone from the waiting room: a new admission, so the
 * same rules hold as for a join — not while the meeting is locked, never
 * someone removed.
 */
export function admitFromLobby(live: LiveState, participantId: string, now: Date): Admission {
  if (live.ended) throw conflict('the meeting has ended');
  if (live.locked) throw conflict('the meeting is locked: unlock it to admit anyone new');
  if (live.removed.includes(participantId)) throw conflict('this participant was removed from the meeting');
  return newAdmission(participantId, live, 'lobby', now);
}
