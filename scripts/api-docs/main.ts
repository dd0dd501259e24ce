import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../local-stack/layout.js';
import { renderApiDocs } from './render.js';

writeFileSync(resolve(ROOT, 'docs/api.md'), renderApiDocs());
process.stdout.write('wrote docs/api.md\n');
