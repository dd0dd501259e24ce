import { DateTime } from 'luxon';
import { DomainError } from '../../lambdas/domain/errors.js';
import {
  checkEncryptionAllowed,
  checkEncryptionChange,
  checkSchedule,
  occurrencesWithin,
  parseInstant,
  type Meeting,
} from '../../lambdas/domain/meeting.js';
import { hashPasscode, verifyPasscode } from '../../lambdas/domain/passcode.js';
import { checkRecurrence, occurrenceStarts } from '../../lambdas/domain/recurrence.js';

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.field;
    throw error;
  }
  return undefined;
}

describe('recurrence', () => {
  it('keeps a weekly 09:00 Berlin meeting at 09:00 local across the October clock change', () => {
    // 2026-10-25 is the last Sunday of October: CEST (UTC+2) ends.
    const starts = occurrenceStarts(utc('2026-10-19T07:00:00Z'), 'Europe/Berlin', 'FREQ=WEEKLY;COUNT=3');
    expect(starts.map((s) => s.toUTC().toISO())).toEqual([
      '2026-10-19T07:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
    ]);
    expect(starts.map((s) => s.toFormat('HH:mm'))).toEqual(['09:00', '09:00', '09:00']);
  });

  it('keeps a daily New York meeting at 10:00 local across the March clock change', () => {
    const starts = occurrenceStarts(utc('2027-03-13T15:00:00Z'), 'America/New_York', 'FREQ=DAILY;COUNT=2');
    expect(starts.map((s) => s.toUTC().toISO())).toEqual(['2027-03-13T15:00:00.000Z', '2027-03-14T14:00:00.000Z']);
  });

  it('honours UNTIL as an instant', () => {
    const starts = occurrenceStarts(utc('2026-11-02T08:00:00Z'), 'Europe/Berlin', 'FREQ=DAILY;UNTIL=20261104T080000Z');
    expect(starts).toHaveLength(3);
  });

  it('refuses rules that never end, repeat too often, or are not rules at all', () => {
    const start = utc('2026-11-02T08:00:00Z');
    expect(() => checkRecurrence('FREQ=WEEKLY', start)).toThrow(/never ends/);
    expect(() => checkRecurrence('FREQ=HOURLY;COUNT=3', start)).toThrow(/at most daily/);
    expect(() => checkRecurrence('FREQ=DAILY;COUNT=100000', start)).toThrow(/COUNT/);
    expect(() => checkRecurrence('FREQ=DAILY;UNTIL=20200101T000000Z', start)).toThrow(/before startsAt/);
    expect(() => checkRecurrence('FREQ=DAILY;UNTIL=20400101T000000Z', start)).toThrow(/5 years/);
    expect(() => checkRecurrence('hello', start)).toThrow(DomainError);
    expect(checkRecurrence('RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4', start)).toBe('FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4');
  });
});

describe('meeting schedule rules', () => {
  const valid = { startsAt: '2026-12-01T09:00:00+01:00', durationMinutes: 60, timeZone: 'Europe/Berlin' };

  it('normalises the start to UTC and derives the end of the series', () => {
    expect(checkSchedule(valid)).toEqual({ startsAt: '2026-12-01T08:00:00.000Z', seriesEndsAt: '2026-12-01T09:00:00.000Z' });
    expect(checkSchedule({ ...valid, recurrence: 'FREQ=DAILY;COUNT=3' }).seriesEndsAt).toBe('2026-12-03T09:00:00.000Z');
  });

  it('names the field of each impossible schedule', () => {
    expect(fieldOf(() => checkSchedule({ ...valid, startsAt: '2026-02-30T10:00:00Z' }))).toBe('startsAt');
    expect(fieldOf(() => checkSchedule({ ...valid, timeZone: 'Mars/Olympus' }))).toBe('timeZone');
    expect(fieldOf(() => checkSchedule({ ...valid, durationMinutes: 0 }))).toBe('durationMinutes');
    expect(fieldOf(() => checkSchedule({ ...valid, durationMinutes: 1441 }))).toBe('durationMinutes');
    expect(fieldOf(() => checkSchedule({ ...valid, recurrence: 'FREQ=DAILY' }))).toBe('recurrence');
    expect(() => parseInstant('startsAt', 'yesterday')).toThrow(/not a valid date/);
  });

  it('lists only the occurrences that overlap the window', () => {
    const meeting = {
      id: 'mt_1',
      startsAt: '2026-10-19T07:00:00.000Z',
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      recurrence: 'FREQ=WEEKLY;COUNT=10',
    } as Meeting;
    const within = occurrencesWithin(meeting, utc('2026-10-20T00:00:00Z'), utc('2026-11-03T00:00:00Z'));
    expect(within.map((o) => o.startsAt)).toEqual(['2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z']);
    expect(occurrencesWithin(meeting, utc('2026-10-19T07:30:00Z'), utc('2026-10-19T07:45:00Z'))).toHaveLength(1);
  });

  it('offers end-to-end encryption to every plan but free, and never turns it off', () => {
    expect(() => checkEncryptionAllowed('free', 'e2ee')).toThrow(/not part of the free plan/);
    expect(() => checkEncryptionAllowed('education', 'e2ee')).not.toThrow();
    expect(() => checkEncryptionChange('e2ee', 'standard')).toThrow(/cannot return/);
    expect(() => checkEncryptionChange('standard', 'e2ee')).not.toThrow();
  });
});

describe('passcodes', () => {
  it('are stored as salted scrypt hashes and verified', async () => {
    const hash = await hashPasscode('472913');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('472913');
    expect(await hashPasscode('472913')).not.toBe(hash);
    expect(await verifyPasscode('472913', hash)).toBe(true);
    expect(await verifyPasscode('472914', hash)).toBe(false);
    expect(await verifyPasscode('472913', 'md5$abc')).toBe(false);
  });
});
