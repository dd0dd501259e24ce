import { FEATURES, MESSAGES } from '../../web/src/i18n/messages/index.js';

const LANGUAGES = ['en', 'de', 'nl'] as const;
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('the web client speaks English, German and Dutch', () => {
  it('has every message of every feature in all three languages, with the same placeholders', () => {
    for (const feature of FEATURES) {
      const keys = Object.keys(feature.en).sort();
      expect(keys.length).toBeGreaterThan(0);
      for (const language of LANGUAGES) {
        expect(Object.keys(feature[language]).sort()).toEqual(keys);
        for (const key of keys) {
          expect(feature[language][key]?.trim()).toBeTruthy();
          expect({ key, placeholders: placeholders(feature[language][key]!) }).toEqual({
            key,
            placeholders: placeholders(feature.en[key]!),
          });
        }
      }
    }
  });

  it('never defines one key in two features', () => {
    const seen = new Map<string, number>();
    FEATURES.forEach((feature, index) => {
      for (const key of Object.keys(feature.en)) {
        expect({ key, first: seen.get(key) ?? index }).toEqual({ key, first: index });
        seen.set(key, index);
      }
    });
    expect(Object.keys(MESSAGES.en)).toHaveLength(seen.size);
  });

  it('translates rather than copies: German and Dutch differ from English for most messages', () => {
    for (const language of ['de', 'nl'] as const) {
      const keys = Object.keys(MESSAGES.en);
      const same = keys.filter((key) => MESSAGES[language][key] === MESSAGES.en[key]);
      expect(same.length / keys.length).toBeLessThan(0.2);
    }
  });
});
