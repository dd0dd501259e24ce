import { DomainError } from '../../lambdas/domain/errors.js';
import { authoriseSupport, checkGrantRequest, type SupportGrant } from '../../lambdas/domain/support.js';

const now = new Date('2026-11-23T12:00:00Z');
const grant = (over: Partial<SupportGrant> = {}): SupportGrant => ({
  id: 'sg_1',
  ticketId: 'T-1',
  scopes: ['settings:read'],
  expiresAt: '2026-11-23T13:00:00Z',
  allowOutsideEu: false,
  createdAt: '2026-11-23T11:00:00Z',
  revoked: false,
  ...over,
});

describe('support grants', () => {
  it('authorise only the ticket, scope and time they name', () => {
    expect(authoriseSupport([grant()], 'T-1', 'settings:read', 'eu', now).id).toBe('sg_1');
    expect(() => authoriseSupport([grant()], 'T-2', 'settings:read', 'eu', now)).toThrow(DomainError);
    expect(() => authoriseSupport([grant()], 'T-1', 'meetings:read', 'eu', now)).toThrow(/no live access/);
    expect(() => authoriseSupport([grant({ expiresAt: '2026-11-23T11:59:59Z' })], 'T-1', 'settings:read', 'eu', now)).toThrow(
      /no live access/,
    );
    expect(() => authoriseSupport([grant({ revoked: true })], 'T-1', 'settings:read', 'eu', now)).toThrow(/no live access/);
  });

  it('keep staff outside the EU out unless the tenant allowed them', () => {
    expect(() => authoriseSupport([grant()], 'T-1', 'settings:read', 'outside-eu', now)).toThrow(
      /only by support staff in the EU/,
    );
    expect(authoriseSupport([grant({ allowOutsideEu: true })], 'T-1', 'settings:read', 'outside-eu', now).id).toBe('sg_1');
  });

  it('must expire in the future, within 30 days', () => {
    expect(() => checkGrantRequest('2026-11-23T11:00:00Z', now)).toThrow(/past/);
    expect(() => checkGrantRequest('2027-01-23T11:00:00Z', now)).toThrow(/30 days/);
    expect(() => checkGrantRequest('2026-11-24T11:00:00Z', now)).not.toThrow();
  });
});
