import { siteConfig } from '../../config/env.js';
import { dynamodbClient } from '../clients.js';
import { buildDirectory } from '../composition.js';
import type { DirectoryAnswer } from '../domain/directory.js';
import { problems } from '../http/problem.js';
import { OPERATIONS } from '../api/operations/directory.js';
import { route, routeGroup } from '../http/route.js';

const config = siteConfig();
// The directory alone: this public route needs no keys, no tenant data and no LiveKit.
const site = { config, directory: buildDirectory(config, dynamodbClient(config)) };

export const handler = routeGroup(
  {},
  {
    'GET /v1/directory/{slugOrDomain}': route(OPERATIONS['GET /v1/directory/{slugOrDomain}'], async (request) => {
      const name = request.path.slugOrDomain;
      const entry = await site.directory.byPointer(name.includes('.') ? 'DOMAIN' : 'SLUG', name);
      if (!entry) throw problems.notFound('No tenant has this slug or domain');
      const answer: DirectoryAnswer = {
        tenantId: entry.tenantId,
        slug: entry.slug,
        homeSite: entry.homeSite,
        apiUrl: site.config.apiUrls[entry.homeSite],
      };
      // Public and the same on both sites: clients may cache it briefly.
      return { status: 200, body: answer, headers: { 'cache-control': 'public, max-age=60' } };
    }),
  },
);
