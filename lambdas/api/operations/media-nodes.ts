import { emptyQuery } from '../schemas/common.js';
import { nodeList, nodePath } from '../schemas/live.js';
import type { Operation } from '../operation.js';

/** The contract of the `media-nodes` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/media/nodes': {
    operationId: 'listMediaNodes',
    summary: "The site's media nodes, their status, health and load",
    tag: 'media (operator)',
    auth: 'operator',
    query: emptyQuery,
    success: { status: 200, description: 'The nodes', schema: nodeList },
  },
  'POST /v1/media/nodes/{nodeId}/drain': {
    operationId: 'drainMediaNode',
    summary: 'Drain a media node: no new meeting is placed on it',
    tag: 'media (operator)',
    auth: 'operator',
    path: nodePath,
    query: emptyQuery,
    success: { status: 200, description: 'The nodes', schema: nodeList },
  },
  'POST /v1/media/nodes/{nodeId}/undrain': {
    operationId: 'undrainMediaNode',
    summary: 'Put a drained media node back into service',
    tag: 'media (operator)',
    auth: 'operator',
    path: nodePath,
    query: emptyQuery,
    success: { status: 200, description: 'The nodes', schema: nodeList },
  },
} as const satisfies Record<string, Operation>;
