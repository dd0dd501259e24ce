import { OPERATIONS as health } from './operations/health.js';
import { OPERATIONS as openapi } from './operations/openapi.js';
import { OPERATIONS as directory } from './operations/directory.js';
import { OPERATIONS as tenants } from './operations/tenants.js';
import { OPERATIONS as meetings } from './operations/meetings.js';
import { OPERATIONS as live } from './operations/live.js';
import { OPERATIONS as mediaClusters } from './operations/media-clusters.js';
import { OPERATIONS as livekitWebhook } from './operations/livekit-webhook.js';
import { OPERATIONS as e2ee } from './operations/e2ee.js';
import { OPERATIONS as breakouts } from './operations/breakouts.js';
import { OPERATIONS as settings } from './operations/settings.js';
import { OPERATIONS as privacy } from './operations/privacy.js';
import { OPERATIONS as dataSubjects } from './operations/data-subjects.js';
import { OPERATIONS as reports } from './operations/reports.js';
import { OPERATIONS as support } from './operations/support.js';
import { OPERATIONS as audit } from './operations/audit.js';
import { OPERATIONS as advisoriesPublish } from './operations/advisories-publish.js';
import { OPERATIONS as advisories } from './operations/advisories.js';
import { OPERATIONS as guestLinks } from './operations/guest-links.js';
import type { Operation } from './operation.js';

export type { Operation } from './operation.js';

/**
 * The whole API contract, one module per route group (./operations/): a
 * group's handler takes its schemas from its own module, so a function
 * bundles and builds only the schemas of its own routes, while the OpenAPI
 * document and the tests read them all from here.
 */
export const OPERATIONS = {
  ...health,
  ...openapi,
  ...directory,
  ...tenants,
  ...meetings,
  ...live,
  ...mediaClusters,
  ...livekitWebhook,
  ...e2ee,
  ...breakouts,
  ...settings,
  ...privacy,
  ...dataSubjects,
  ...reports,
  ...support,
  ...audit,
  ...advisoriesPublish,
  ...advisories,
  ...guestLinks,
} as const satisfies Record<string, Operation>;

export type RouteKey = keyof typeof OPERATIONS;
