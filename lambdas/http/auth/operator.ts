import { createHash, timingSafeEqual } from 'node:crypto';
import type { SiteConfig } from '../../../config/env.js';
import type { AuditActor } from '../../domain/audit.js';
import { problems } from '../problem.js';
import type { RawRequest } from '../callers.js';

export function bearerToken(headers: Readonly<Record<string, string>>): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(headers.authorization ?? '');
  return match?.[1];
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The operator behind a request. Deployed, API Gateway has already checked
 * the caller's IAM signature and this reads who it was; locally, the bearer
 * operator token stands in for IAM and is compared in constant time.
 */
export function authenticateOperator(request: Pick<RawRequest, 'headers' | 'event'>, config: SiteConfig): AuditActor {
  if (config.stage === 'local') {
    const token = bearerToken(request.headers);
    if (!token || !config.operatorToken || !timingSafeEqual(digest(token), digest(config.operatorToken)))
      throw problems.unauthorized();
    return { type: 'operator', id: 'local-operator' };
  }
  const iam = (request.event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam;
  if (!iam?.userArn) throw problems.unauthorized();
  return { type: 'operator', id: iam.userArn };
}
