import { readFileSync } from 'node:fs';
import { renderApiDocs } from '../../scripts/api-docs/render.js';
import { ROOT } from '../../scripts/local-stack/layout.js';

describe('docs/api.md', () => {
  it('is the current rendering of the API contract (run `npm run docs:api` after changing it)', () => {
    expect(readFileSync(`${ROOT}docs/api.md`, 'utf8')).toBe(renderApiDocs());
  });
});
