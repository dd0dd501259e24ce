/**
 * Regenerates the web client's API types (web/src/api/schema.d.ts) from the
 * OpenAPI document the API serves, which is generated from the zod contract:
 * one source of request and response types for the API, its reference and the
 * web client. `--check` fails when the committed file is not current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../../lambdas/api/openapi.js';
import { ROOT } from '../local-stack/layout.js';

export const API_TYPES_FILE = resolve(ROOT, 'web/src/api/schema.d.ts');

export async function renderApiTypes(): Promise<string> {
  // The document is passed as a plain object: openapi-typescript reads nothing from the network.
  const ast = await openapiTS(openApiDocument() as unknown as Parameters<typeof openapiTS>[0]);
  return `/* Generated from the API's OpenAPI document by scripts/web/generate-api-types.ts (npm run web:api-types). Do not edit. */\n${astToString(ast)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(ROOT, 'scripts/web/generate-api-types.ts')) {
  const rendered = await renderApiTypes();
  if (process.argv.includes('--check')) {
    const current = readFileSync(API_TYPES_FILE, 'utf8');
    if (current !== rendered) {
      process.stderr.write('web/src/api/schema.d.ts is out of date: run npm run web:api-types\n');
      process.exit(1);
    }
    process.stdout.write('web/src/api/schema.d.ts is current\n');
  } else {
    writeFileSync(API_TYPES_FILE, rendered);
    process.stdout.write('wrote web/src/api/schema.d.ts\n');
  }
}
