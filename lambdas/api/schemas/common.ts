import * as z from 'zod';
import { SITE_IDS } from '../../../config/sites.js';

export const siteIdSchema = z.enum(SITE_IDS, { error: `must be one of this deployment's sites (${SITE_IDS.join(', ')})` });

export const idSchema = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-f]{24}$`), `must be an id like ${prefix}_…`);

/** Why an operator acts on a tenant; shown to the tenant in its audit log, so it must not name people. */
export const reasonSchema = z.string().trim().min(3).max(500);
export const legalBasisSchema = z.string().trim().min(3).max(200);

export const emptyQuery = z.strictObject({});

/** A whole number in a query string, documented as a string of digits and handed on as a number. */
export function queryInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,6}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be a whole number from ${min} to ${max}` });
}
