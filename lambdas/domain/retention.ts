import { invalid } from './errors.js';

/**
 * How long each class of record is kept, in days, enforced with DynamoDB TTL.
 * Defaults keep little; a tenant may choose within the bounds.
 */
export const RETENTION_CLASSES = ['meetings', 'attendance', 'lobbyTickets', 'abuseReports', 'audit'] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];
export type RetentionPolicy = Readonly<Record<RetentionClass, number>>;

export const RETENTION_BOUNDS: Readonly<
  Record<RetentionClass, { readonly min: number; readonly max: number; readonly default: number }>
> = {
  /** A meeting's record (and its keys, live state, devices) after its last occurrence ended. */
  meetings: { min: 1, max: 730, default: 30 },
  /** Who joined and left when, by pseudonym. */
  attendance: { min: 1, max: 365, default: 30 },
  /** Waiting-room tickets. */
  lobbyTickets: { min: 1, max: 7, default: 1 },
  abuseReports: { min: 7, max: 180, default: 30 },
  /** The audit log: long enough for a data-protection officer to look back a year by default. */
  audit: { min: 90, max: 3650, default: 365 },
};

export const DEFAULT_RETENTION: RetentionPolicy = Object.fromEntries(
  RETENTION_CLASSES.map((c) => [c, RETENTION_BOUNDS[c].default]),
) as unknown as RetentionPolicy;

export function retentionPolicy(chosen: Partial<RetentionPolicy> | undefined): RetentionPolicy {
  return { ...DEFAULT_RETENTION, ...chosen };
}

/** Refuses a period outside its class's bounds, naming it. */
export function checkRetention(change: Partial<RetentionPolicy>): void {
  for (const [name, days] of Object.entries(change) as [RetentionClass, number][]) {
    const bounds = RETENTION_BOUNDS[name];
    if (!Number.isInteger(days) || days < bounds.min || days > bounds.max) {
      throw invalid(name, `must be a whole number of days from ${bounds.min} to ${bounds.max}`);
    }
  }
}

/** The epoch second at which a record made at `from` expires under a period of `days`. */
export function expiryOf(from: Date | number, days: number): number {
  return Math.floor(new Date(from).getTime() / 1000) + days * 86_400;
}

/** Devices' public keys, kept while a device may still be used. */
export const DEVICE_KEYS_RETENTION_DAYS = 180;
