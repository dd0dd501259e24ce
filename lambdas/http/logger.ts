import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of the control plane. What goes into it is chosen field by
 * field at each call site: request ids, route keys, status codes, durations,
 * error class names. Never bodies, headers, tokens, names or addresses.
 */
export const logger = new Logger({
  serviceName: 'meetplane',
  logLevel: (process.env.LOG_LEVEL as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | undefined) ?? 'INFO',
  persistentKeys: { site: process.env.MEETPLANE_SITE ?? 'unknown' },
});
