import { siteConfig } from '../../config/env.js';
import { dynamodbClient } from '../clients.js';
import { buildDirectory } from '../composition.js';
import { directoryAnswerOf } from '../domain/directory.js';
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
      const answer = directoryAnswerOf(entry, site.config.apiUrls[entry.homeSite], site.config.webUrl);
      // Public and the same on both sites: clients may cache it briefly.
      return { status: 200, body: answer, headers: { 'cache-control': 'public, max-age=60' } };
    }),
  },
);
