import { DomainError } from '../../lambdas/domain/errors.js';
import {
  checkRetention,
  DEFAULT_RETENTION,
  expiryOf,
  RETENTION_BOUNDS,
  retentionPolicy,
} from '../../lambdas/domain/retention.js';

describe('retention rules', () => {
  it('keeps little by default, each default within its bounds', () => {
    for (const [name, bounds] of Object.entries(RETENTION_BOUNDS)) {
      expect(bounds.default).toBeGreaterThanOrEqual(bounds.min);
      expect(bounds.default).toBeLessThanOrEqual(bounds.max);
      expect(DEFAULT_RETENTION[name as keyof typeof DEFAULT_RETENTION]).toBe(bounds.default);
    }
    expect(DEFAULT_RETENTION.lobbyTickets).toBe(1);
  });

  it("merges a tenant's choices over the defaults", () => {
    expect(retentionPolicy({ attendance: 7 })).toEqual({ ...DEFAULT_RETENTION, attendance: 7 });
    expect(retentionPolicy(undefined)).toEqual(DEFAULT_RETENTION);
  });

  it('refuses periods outside the bounds or not whole days, naming the class', () => {
    const refused = (change: Record<string, number>) => {
      try {
        checkRetention(change);
      } catch (error) {
        return error instanceof DomainError ? error.field : 'other';
      }
      return undefined;
    };
    expect(refused({ audit: 30 })).toBe('audit');
    expect(refused({ meetings: 731 })).toBe('meetings');
    expect(refused({ attendance: 1.5 })).toBe('attendance');
    expect(refused({ meetings: 1, audit: 90 })).toBeUndefined();
  });

  it('computes expiry in epoch seconds', () => {
    expect(expiryOf(Date.UTC(2026, 0, 1), 2)).toBe(Date.UTC(2026, 0, 3) / 1000);
  });
});
