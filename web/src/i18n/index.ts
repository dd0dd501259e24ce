import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { MESSAGES, type Language } from './messages';

export const LANGUAGES: readonly { readonly code: Language; readonly name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
  { code: 'nl', name: 'Nederlands' },
];
const CHOSEN = 'meetplane.language';

/** The user's choice if they made one here, else the first of the browser's languages we speak, else English. */
export function preferredLanguage(): Language {
  const chosen = localStorage.getItem(CHOSEN);
  const candidates = [chosen, ...navigator.languages].filter((l): l is string => Boolean(l));
  for (const candidate of candidates) {
    const base = candidate.toLowerCase().split('-')[0];
    const match = LANGUAGES.find((l) => l.code === base);
    if (match) return match.code;
  }
  return 'en';
}

export async function chooseLanguage(language: Language): Promise<void> {
  localStorage.setItem(CHOSEN, language);
  await i18next.changeLanguage(language);
}

i18next.on('languageChanged', (language) => (document.documentElement.lang = language));

export const i18nReady = i18next.use(initReactI18next).init({
  resources: Object.fromEntries(LANGUAGES.map(({ code }) => [code, { translation: MESSAGES[code] }])) as Record<
    Language,
    { translation: Record<string, string> }
  >,
  lng: preferredLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

/** The locale to format dates and numbers in: the browser's own variant of the chosen language (en-GB, not en-US). */
export function formattingLocale(language: string): string {
  return navigator.languages.find((l) => l.toLowerCase().split('-')[0] === language) ?? language;
}
