import { OPERATIONS } from '../api/operations/advisories.js';
import { currentSite, advisoryStore } from '../composition.js';
import { advisoryView } from '../domain/advisories.js';
import { problems } from '../http/problem.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';
import { POSITION_PATTERN, positionOf } from '../store/advisory-store.js';

const site = currentSite();
const advisories = advisoryStore(site);

const encodeCursor = (position: string) => Buffer.from(position, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!POSITION_PATTERN.test(position)) {
    throw problems.validation([{ in: 'query', field: 'cursor', message: 'is not a cursor from an earlier page' }]);
  }
  return position;
}

export const handler = routeGroup(tenantCallers(site.authenticator), {
  /**
   * The site's advisories, newest first, for every user of a tenant homed
   * here: they name no tenant and no person, and a user who knows of a flaw
   * can act on it (update a client, report a suspicious join) without an admin
   * passing it on.
   */
  'GET /v1/advisories': route(OPERATIONS['GET /v1/advisories'], async (request) => {
    const after = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
    const page = await advisories.page(after, request.query.limit ?? 20);
    const last = page.items.at(-1);
    return {
      status: 200,
      body: {
        items: page.items.map(advisoryView),
        ...(page.more && last && { nextCursor: encodeCursor(positionOf(last)) }),
      },
    };
  }),
});
