import { readFileSync } from 'node:fs';
import { API_TYPES_FILE, renderApiTypes } from '../../scripts/web/generate-api-types.js';

describe("the web client's API types", () => {
  it('are generated from the current OpenAPI document (npm run web:api-types)', async () => {
    const rendered = await renderApiTypes();
    expect(rendered).toContain('"/v1/meetings"');
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(rendered);
  });
});
