import type { Messages } from './index.js';

/** The few words of the minimal meeting page that carries end-to-end encryption, breakouts and reports. */
export const MINIMAL_ROOM: Messages = {
  en: {
    'minimalRoom.join': 'Join',
    'minimalRoom.waiting': 'Waiting for the host to let you in…',
    'minimalRoom.left': 'You left the meeting.',
    'minimalRoom.participants': 'Participants',
    'minimalRoom.leave': 'Leave',
  },
  de: {
    'minimalRoom.join': 'Teilnehmen',
    'minimalRoom.waiting': 'Warten, bis der Host Sie hereinlässt…',
    'minimalRoom.left': 'Sie haben das Meeting verlassen.',
    'minimalRoom.participants': 'Teilnehmende',
    'minimalRoom.leave': 'Verlassen',
  },
  nl: {
    'minimalRoom.join': 'Deelnemen',
    'minimalRoom.waiting': 'Wachten tot de host u binnenlaat…',
    'minimalRoom.left': 'U hebt de vergadering verlaten.',
    'minimalRoom.participants': 'Deelnemers',
    'minimalRoom.leave': 'Verlaten',
  },
};
