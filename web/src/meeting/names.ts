import type { Participant } from 'livekit-client';
import type { TFunction } from 'i18next';

/**
 * How a participant is shown: the name LiveKit carries when the organisation
 * shows names, else a short form of their per-meeting pseudonym (their
 * identity), which says nothing about who they are.
 */
export function participantName(participant: Participant, t: TFunction): string {
  if (participant.name) return participant.name;
  if (participant.attributes['meetplane.role'] === 'guest')
    return t('room.guestPseudonym', { code: pseudonymCode(participant.identity) });
  return t('room.pseudonym', { code: pseudonymCode(participant.identity) });
}

export const pseudonymCode = (identity: string) => identity.replace(/^p_/, '').slice(0, 4).toUpperCase();

export function isGuestParticipant(participant: Participant): boolean {
  return participant.attributes['meetplane.role'] === 'guest';
}
