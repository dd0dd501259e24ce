import { versionFromEtag } from '../domain/tenant.js';
import { problems } from './problem.js';
import type { ParsedRequest, RequestSchemas } from './request.js';

/** The version named by If-Match: 428 when it is missing, 412 when it names no version of ours. */
export function requiredVersion(request: ParsedRequest<RequestSchemas>): number {
  const ifMatch = request.headers['if-match'];
  if (ifMatch === undefined) throw problems.preconditionRequired();
  return parseVersion(ifMatch);
}

export function optionalVersion(request: ParsedRequest<RequestSchemas>): number | undefined {
  const ifMatch = request.headers['if-match'];
  return ifMatch === undefined ? undefined : parseVersion(ifMatch);
}

function parseVersion(ifMatch: string): number {
  const version = versionFromEtag(ifMatch);
  if (version === undefined) throw problems.preconditionFailed('If-Match does not name a version of this resource');
  return version;
}
