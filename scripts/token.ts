/**
 * npm run token -- --user alice --role host [--role admin] [--email a@b] [--ttl 1h]
 * Prints a JWT of the local dev identity provider for the seeded demo tenant.
 */
import { parseArgs } from 'node:util';
import { devToken } from './dev-idp/identity.js';

const { values } = parseArgs({
  options: {
    user: { type: 'string', default: 'alice' },
    role: { type: 'string', multiple: true, default: [] },
    email: { type: 'string' },
    ttl: { type: 'string', default: '1h' },
  },
});
const roles = values.role ?? [];
for (const role of roles) {
  if (role !== 'host' && role !== 'admin') {
    process.stderr.write(`token: unknown role "${role}" (use host or admin; participants need none)\n`);
    process.exit(2);
  }
}
process.stdout.write(`${await devToken({ user: values.user!, roles, email: values.email, ttl: values.ttl })}\n`);
