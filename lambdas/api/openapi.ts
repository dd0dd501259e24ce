import * as z from 'zod';
import { EXAMPLES } from './examples.js';
import { OPERATIONS, type Operation, type RouteKey } from './operations.js';
import { advisoryBody, advisoryPage, advisoryPublication, advisoryResource } from './schemas/advisories.js';
import { securityContactsBody, securityContactsResource } from './schemas/advisories.js';
import { breakoutPlanResource, defineBreakoutsBody } from './schemas/breakouts.js';
import { dataSubjectBody, erasureReport, subjectExport } from './schemas/data-subjects.js';
import { guestSession, guestSettingsResource, redeemGuestLinkBody } from './schemas/guests.js';
import {
  deviceRegistrationSchema,
  envelopeResource,
  envelopeUploadSchema,
  epochKey,
  joinBody,
  joinResult,
  liveStateResource,
  lobbyStatus,
  clusterList,
} from './schemas/live.js';
import { mailSettingsBody, mailSettingsResource, mailTestResult } from './schemas/mail.js';
import { createMeetingBody, meetingResource, occurrencePage, patchMeetingBody } from './schemas/meetings.js';
import { grantBody, grantResource, preferencesResource } from './schemas/privacy.js';
import { reportBody, reportList, reportResource } from './schemas/reports.js';
import {
  auditEntry,
  auditPage,
  auditSigningKey,
  chainVerdict,
  directoryAnswer,
  healthReport,
  offboardingReport,
  problemDocument,
  signedHead,
  tenantResource,
} from './schemas/responses.js';
import { organisationOverview, retentionPatchBody, retentionResource } from './schemas/settings.js';
import { createTenantBody, idpSchema, offboardBody, patchTenantBody, statusChangeBody } from './schemas/tenants.js';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const SCHEMA_OPTIONS = { target: 'draft-2020-12', unrepresentable: 'any' } as const;

/**
 * The request documents named in components/schemas (as they are accepted:
 * defaults optional, unknown fields refused). Everything else stays inline.
 */
const NAMED_REQUESTS: readonly (readonly [z.ZodType, string])[] = [
  [createMeetingBody, 'MeetingInput'],
  [patchMeetingBody, 'MeetingChange'],
  [joinBody, 'JoinRequest'],
  [createTenantBody, 'TenantInput'],
  [patchTenantBody, 'TenantChange'],
  [idpSchema, 'IdentityProviderInput'],
  [statusChangeBody, 'TenantStatusChange'],
  [offboardBody, 'OffboardRequest'],
  [deviceRegistrationSchema, 'DeviceRegistration'],
  [envelopeUploadSchema, 'KeyEnvelopeUpload'],
  [envelopeResource, 'KeyEnvelope'],
  [defineBreakoutsBody, 'BreakoutPlanInput'],
  [retentionPatchBody, 'RetentionChange'],
  [mailSettingsBody, 'MailSettingsInput'],
  [securityContactsBody, 'SecurityContactsInput'],
  [redeemGuestLinkBody, 'GuestLinkRedemption'],
  [grantBody, 'SupportGrantInput'],
  [dataSubjectBody, 'DataSubjectRequest'],
  [reportBody, 'AbuseReportInput'],
  [advisoryBody, 'AdvisoryInput'],
];

/** The response documents named in components/schemas (as they are sent). */
const NAMED_RESPONSES: readonly (readonly [z.ZodType, string])[] = [
  [problemDocument, 'Problem'],
  [healthReport, 'HealthReport'],
  [directoryAnswer, 'DirectoryEntry'],
  [tenantResource, 'Tenant'],
  [offboardingReport, 'OffboardingReport'],
  [meetingResource, 'Meeting'],
  [occurrencePage, 'OccurrencePage'],
  [joinResult, 'JoinOutcome'],
  [lobbyStatus, 'LobbyStatus'],
  [liveStateResource, 'LiveState'],
  [epochKey, 'MediaKey'],
  [clusterList, 'MediaClusterList'],
  [deviceRegistrationSchema, 'DeviceRegistration'],
  [envelopeResource, 'KeyEnvelope'],
  [breakoutPlanResource, 'BreakoutPlan'],
  [organisationOverview, 'OrganisationOverview'],
  [retentionResource, 'RetentionSettings'],
  [mailSettingsResource, 'MailSettings'],
  [mailTestResult, 'MailTestResult'],
  [securityContactsResource, 'SecurityContacts'],
  [guestSettingsResource, 'GuestSettings'],
  [guestSession, 'GuestSession'],
  [grantResource, 'SupportGrant'],
  [preferencesResource, 'Preferences'],
  [subjectExport, 'SubjectExport'],
  [erasureReport, 'ErasureReport'],
  [reportResource, 'AbuseReport'],
  [reportList, 'AbuseReportPage'],
  [auditEntry, 'AuditEntry'],
  [auditPage, 'AuditPage'],
  [signedHead, 'SignedAuditHead'],
  [chainVerdict, 'AuditVerdict'],
  [auditSigningKey, 'AuditSigningKey'],
  [advisoryResource, 'Advisory'],
  [advisoryPublication, 'AdvisoryPublication'],
  [advisoryPage, 'AdvisoryPage'],
];

const componentRef = (id: string) => `#/components/schemas/${id}`;
const INLINE = '__inline_';

const toSchema = (schema: z.ZodType, io: Io): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, ...SCHEMA_OPTIONS }) as JsonSchema;
  return rest;
};

/**
 * Converts the named schemas of one direction together (a named schema inside
 * another becomes a `$ref`), with the operations' own unnamed ones, which stay
 * inline and refer to the named ones they contain.
 */
function convert(io: Io, named: readonly (readonly [z.ZodType, string])[], unnamed: readonly z.ZodType[]) {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const inlineIds = new Map<z.ZodType, string>();
  for (const schema of unnamed) {
    if (registry.has(schema) || inlineIds.has(schema)) continue;
    const id = `${INLINE}${inlineIds.size}`;
    inlineIds.set(schema, id);
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { io, ...SCHEMA_OPTIONS, uri: componentRef }) as {
    schemas: Record<string, JsonSchema>;
  };
  const clean: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    if (id === '__shared') throw new Error('a schema is recursive or shared in a way components cannot name; name it');
    const { $schema: _schema, $id: _id, ...rest } = schema;
    if (!id.startsWith(INLINE) && JSON.stringify(rest).includes(componentRef(INLINE)))
      throw new Error(`the named schema ${id} contains an operation's unnamed schema; name that one too`);
    clean[id] = rest;
  }
  const components = Object.fromEntries(Object.entries(clean).filter(([id]) => !id.startsWith(INLINE)));
  const of = (schema: z.ZodType): JsonSchema => {
    const name = registry.get(schema)?.id;
    if (!name) throw new Error('schema was not converted');
    return name.startsWith(INLINE) ? clean[name]! : { $ref: componentRef(name) };
  };
  return { components, of };
}

/** One name, one schema: a name given in both directions must describe the same document in both. */
function mergeComponents(...parts: Record<string, JsonSchema>[]): Record<string, JsonSchema> {
  const merged: Record<string, JsonSchema> = {};
  for (const part of parts) {
    for (const [id, schema] of Object.entries(part)) {
      if (merged[id] && JSON.stringify(merged[id]) !== JSON.stringify(schema))
        throw new Error(`components/schemas/${id} differs between requests and responses; give them different names`);
      merged[id] = schema;
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

/** Problem responses, named in components/responses; each status's name and when it is answered. */
const PROBLEMS: Record<number, { name: string; description: string; retryAfter?: true }> = {
  400: { name: 'BadRequest', description: 'A field is missing, malformed or unknown; `errors` names each one' },
  401: { name: 'Unauthorized', description: 'No valid credentials (the same answer whichever check failed)' },
  403: { name: 'Forbidden', description: 'Authenticated, but not allowed to do this' },
  404: { name: 'NotFound', description: 'No such route or resource (also for resources of other tenants)' },
  409: { name: 'Conflict', description: 'The request conflicts with the current state' },
  410: { name: 'Gone', description: 'It existed, and is no longer valid (an expired link)' },
  412: { name: 'PreconditionFailed', description: 'If-Match names a version that is no longer current' },
  413: { name: 'PayloadTooLarge', description: 'The body is too large' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not application/json' },
  421: { name: 'Misdirected', description: 'The tenant lives on another site; `homeSite` and `apiUrl` say where' },
  422: { name: 'Unprocessable', description: 'The Idempotency-Key was used with a different request' },
  428: { name: 'PreconditionRequired', description: 'If-Match is required' },
  429: {
    name: 'TooManyAttempts',
    description: 'Too many attempts (wrong passcodes); retry after `Retry-After` seconds',
    retryAfter: true,
  },
  503: {
    name: 'Unavailable',
    description: 'A dependency is unavailable; retry after `Retry-After` seconds',
    retryAfter: true,
  },
};

/** Response headers the handlers send (lambdas/http/route.ts, problem.ts, idempotency.ts and the handlers). */
const HEADERS: Record<string, JsonSchema> = {
  'X-Request-Id': {
    description: 'Identifies the request in our logs; quote it when reporting a problem. On every response.',
    required: true,
    schema: { type: 'string', minLength: 1 },
  },
  ETag: {
    description: "The resource's version: send it back in If-Match to change it",
    required: true,
    schema: { type: 'string', pattern: '^"v[0-9]{1,12}"$' },
  },
  Location: {
    description: 'The address of the new resource (on a replay of an idempotent request too)',
    required: true,
    schema: { type: 'string', format: 'uri-reference' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the first result of an earlier request with the same Idempotency-Key, not a new write',
    required: false,
    schema: { type: 'string', enum: ['true'] },
  },
};
const header = (name: string) => ({ [name]: { $ref: `#/components/headers/${name}` } });

/** The problem statuses a route documents (every route of its kind, and its own). */
export function problemStatuses(op: Operation): number[] {
  const statuses = [400, 404, 413, 415, 503];
  if (op.auth !== 'public') statuses.push(401, 403, 421);
  if (op.body || op.auth !== 'public') statuses.push(409);
  if (op.ifMatch) statuses.push(412);
  if (op.ifMatch === 'required') statuses.push(428);
  if (op.idempotent) statuses.push(422);
  statuses.push(...(op.alsoAnswers ?? []));
  return [...new Set(statuses)].sort();
}

function parameters(op: Operation): JsonSchema[] {
  const params: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', op.path],
    ['query', op.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      params.push({
        name,
        in: location,
        required: location === 'path' || (json.required ?? []).includes(name),
        schema: property,
        ...(typeof property.description === 'string' && { description: property.description }),
      });
    }
  }
  if (op.idempotent) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes the write safe to retry: a retry with the same key and body returns the first result',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]+$' },
    });
  }
  if (op.ifMatch) {
    params.push({
      name: 'If-Match',
      in: 'header',
      required: op.ifMatch === 'required',
      description: 'The ETag of the last read, so that a change made meanwhile is not overwritten',
      schema: { type: 'string', pattern: '^"v[0-9]{1,12}"$' },
    });
  }
  return params;
}

const ENTRIES = Object.entries(OPERATIONS) as [RouteKey, Operation][];

/**
 * OpenAPI links from a creating operation to the operations on what it made
 * (`createMeeting` → `getMeeting`, …), with the ETag for those that need
 * If-Match: clients and fuzzers can follow them.
 */
function linksFrom(routeKey: string): Record<string, JsonSchema> | undefined {
  const [method, path] = routeKey.split(' ') as [string, string];
  if (method !== 'POST') return undefined;
  const links: Record<string, JsonSchema> = {};
  for (const [otherKey, other] of ENTRIES) {
    const [, otherPath] = otherKey.split(' ') as [string, string];
    const match = new RegExp(`^${path.replace(/[{}]/g, '\\$&')}/\\{(\\w+)\\}(/.*)?$`).exec(otherPath);
    if (!match) continue;
    links[other.operationId] = {
      operationId: other.operationId,
      parameters: {
        [`path.${match[1]}`]: '$response.body#/id',
        ...(other.ifMatch && { 'header.If-Match': '$response.header.etag' }),
      },
    };
  }
  return Object.keys(links).length > 0 ? links : undefined;
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  site: "The site's health and this document",
  directory: 'Where each tenant lives',
  'tenants (operator)': 'Onboarding, changing, suspending and offboarding tenants (operators)',
  meetings: 'Scheduling meetings, their calendars and invitations',
  joining: 'Joining a meeting, the waiting room and media keys',
  'host controls': 'What hosts do during a meeting: the waiting room, lock, removal, mute, end and attendance',
  'media (operator)': "The site's media nodes (operators)",
  'media (LiveKit)': 'Events from the media nodes',
  'end-to-end encryption': 'Devices and sealed key envelopes of end-to-end meetings',
  breakouts: 'Breakout rooms',
  privacy: 'Retention, mail transport, support grants, preferences and data subjects',
  'support (operator)': "Support's access to a tenant, only under the tenant's grant (operators)",
  'abuse reports': 'Reporting abuse and handling the reports',
  audit: "The tenant's hash-chained, signed audit log",
  advisories: 'Security advisories and where a tenant wants them',
  'advisories (operator)': 'Publishing security advisories (operators)',
  guests: 'People invited by e-mail who join without an account',
};

/** The OpenAPI 3.1 document of the API, generated from the operations' zod schemas. */
export function openApiDocument(serverUrl?: string): JsonSchema {
  const requests = convert(
    'input',
    NAMED_REQUESTS,
    ENTRIES.flatMap(([, op]) => (op.body ? [op.body] : [])),
  );
  const responses = convert(
    'output',
    NAMED_RESPONSES,
    ENTRIES.flatMap(([, op]) => (op.success.schema ? [op.success.schema] : [])),
  );
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [routeKey, op] of ENTRIES) {
    const [method, path] = routeKey.split(' ') as [string, string];
    const example = EXAMPLES[routeKey];
    const links = linksFrom(routeKey);
    const successHeaders = {
      ...header('X-Request-Id'),
      ...(op.success.etag && header('ETag')),
      ...(op.success.location && header('Location')),
      ...(op.idempotent && header('Idempotent-Replayed')),
    };
    const successContent = op.success.schema
      ? { 'application/json': { schema: responses.of(op.success.schema), example: example.response } }
      : op.success.contentType
        ? { [op.success.contentType]: { schema: { type: 'string' }, example: example.response } }
        : undefined;
    const opResponses: Record<string, JsonSchema> = {
      [String(op.success.status)]: {
        description: op.success.description,
        headers: successHeaders,
        ...(links && { links }),
        ...(successContent && { content: successContent }),
      },
    };
    if (routeKey === 'GET /v1/health') {
      opResponses['503'] = {
        description: 'A dependency is down: the same report, with `status: degraded`',
        headers: { ...header('X-Request-Id'), ...header('Retry-After') },
        content: { 'application/json': { schema: responses.of(op.success.schema!) } },
      };
    }
    for (const status of problemStatuses(op)) {
      opResponses[String(status)] ??= { $ref: `#/components/responses/${PROBLEMS[status]!.name}` };
    }
    (paths[path] ??= {})[method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      tags: [op.tag],
      security:
        op.auth === 'tenant'
          ? [{ tenantJwt: [] }, ...(op.guests ? [{ guestJwt: [] }] : [])]
          : op.auth === 'operator'
            ? [{ operator: [] }]
            : op.auth === 'livekit'
              ? [{ livekitWebhook: [] }]
              : [],
      parameters: parameters(op),
      ...(op.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: requests.of(op.body), example: example.body } },
        },
      }),
      responses: opResponses,
    };
  }
  const problem = { $ref: componentRef('Problem') };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Meetplane API',
      version: '1.0.0',
      description:
        "The control plane of EU-resident video meetings. Each tenant's requests go to its home site; a request that reaches the other site is answered 421 with the home site's address. Errors are RFC 9457 problem documents.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    tags: [...new Set(ENTRIES.map(([, op]) => op.tag))].map((name) => ({
      name,
      description: TAG_DESCRIPTIONS[name] ?? name,
    })),
    paths,
    components: {
      schemas: mergeComponents(requests.components, responses.components),
      responses: Object.fromEntries(
        Object.values(PROBLEMS).map(({ name, description, retryAfter }) => [
          name,
          {
            description,
            headers: { ...header('X-Request-Id'), ...(retryAfter && header('Retry-After')) },
            content: { 'application/problem+json': { schema: problem } },
          },
        ]),
      ),
      headers: HEADERS,
      securitySchemes: {
        tenantJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A JWT of the tenant's own identity provider (RS256, ES256 or EdDSA)",
        },
        guestJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A guest token from POST /v1/guest-links/redeem: for one meeting, accepted only by the routes that list it',
        },
        operator: {
          type: 'http',
          scheme: 'bearer',
          description: 'Deployed: IAM (SigV4) at API Gateway. Local stack: the operator token that npm start prints.',
        },
        livekitWebhook: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            "LiveKit's webhook signature: a JWT signed with the node's API secret, carrying the SHA-256 of the raw body",
        },
      },
    },
  };
}
