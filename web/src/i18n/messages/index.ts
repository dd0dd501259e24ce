// Imports here carry .js: the unit tests load these files under Node's module resolution too.
import { ADMIN } from './admin.js';
import { AGENDA } from './agenda.js';
import { BREAKOUTS } from './breakouts.js';
import { COMMON } from './common.js';
import { E2EE } from './e2ee.js';
import { OPERATOR } from './operator.js';
import { REPORT } from './report.js';
import { ROOM } from './room.js';

export type Language = 'en' | 'de' | 'nl';
/** One feature's messages in every language; a unit test checks that each language has the same keys. */
export type Messages = Readonly<Record<Language, Readonly<Record<string, string>>>>;

const FEATURES: readonly Messages[] = [COMMON, AGENDA, ROOM, E2EE, BREAKOUTS, REPORT, ADMIN, OPERATOR];

export const MESSAGES: Readonly<Record<Language, Record<string, string>>> = {
  en: Object.assign({}, ...FEATURES.map((f) => f.en)),
  de: Object.assign({}, ...FEATURES.map((f) => f.de)),
  nl: Object.assign({}, ...FEATURES.map((f) => f.nl)),
};
export { FEATURES };
