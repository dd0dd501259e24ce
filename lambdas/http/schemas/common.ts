import { z } from 'zod';
import { SITE_IDS } from '../../../config/sites.js';

export const siteIdSchema = z.enum(SITE_IDS, { error: `must be one of this deployment's sites (${SITE_IDS.join(', ')})` });

export const idSchema = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-f]{24}$`), `must be an id like ${prefix}_…`);

/** Why an operator acts on a tenant; shown to the tenant in its audit log, so it must not name people. */
export const reasonSchema = z.string().trim().min(3).max(500);
export const legalBasisSchema = z.string().trim().min(3).max(200);

export const emptyQuery = z.strictObject({});

export const pageQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
