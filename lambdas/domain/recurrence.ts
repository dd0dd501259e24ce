import { DateTime, IANAZone } from 'luxon';
import rrule from 'rrule';
import { invalid } from './errors.js';

const { RRule } = rrule;

/** The most occurrences a series may have, and how far its end may lie past its start. */
export const MAX_OCCURRENCES = 500;
export const MAX_SERIES_YEARS = 5;

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Checks an RRULE (it ends by COUNT or UNTIL, repeats at most daily, within
 * the bounds above) and returns it normalised, without the `RRULE:` prefix.
 */
export function checkRecurrence(raw: string, startsAt: DateTime): string {
  const text = raw.trim().replace(/^RRULE:/i, '');
  let options;
  try {
    options = RRule.parseString(text);
  } catch {
    throw invalid('recurrence', 'is not an RFC 5545 RRULE (e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10)');
  }
  if (options.dtstart || /DTSTART|TZID/i.test(text))
    throw invalid('recurrence', 'must not carry DTSTART or TZID; startsAt and timeZone set them');
  if (options.freq === undefined) throw invalid('recurrence', 'needs FREQ');
  if (![RRule.DAILY, RRule.WEEKLY, RRule.MONTHLY, RRule.YEARLY].includes(options.freq)) {
    throw invalid('recurrence', 'may repeat at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)');
  }
  if (options.count == null && options.until == null) throw invalid('recurrence', 'never ends: give COUNT or UNTIL');
  if (options.count != null && (options.count < 1 || options.count > MAX_OCCURRENCES)) {
    throw invalid('recurrence', `COUNT must be between 1 and ${MAX_OCCURRENCES}`);
  }
  if (options.until != null) {
    const until = DateTime.fromJSDate(options.until, { zone: 'utc' });
    if (until < startsAt) throw invalid('recurrence', 'UNTIL lies before startsAt');
    if (until > startsAt.plus({ years: MAX_SERIES_YEARS }))
      throw invalid('recurrence', `UNTIL may lie at most ${MAX_SERIES_YEARS} years after startsAt`);
  }
  return RRule.optionsToString(options).replace(/^RRULE:/, '');
}

/**
 * The start instants of a series, DST-correct: the rule is expanded in the
 * meeting's wall-clock time (rrule's "floating" dates, UTC fields standing for
 * local ones), and each wall-clock occurrence is then placed in the zone. A
 * 09:00 Berlin meeting stays at 09:00 Berlin across the clock change, which
 * moves it by an hour in UTC.
 */
export function occurrenceStarts(
  startsAt: DateTime,
  timeZone: string,
  recurrence: string | undefined,
  window?: { from: DateTime; to: DateTime },
): DateTime[] {
  const local = startsAt.setZone(timeZone);
  if (!recurrence) return !window || (local >= window.from.minus({ days: 1 }) && local < window.to) ? [local] : [];
  const options = RRule.parseString(recurrence.trim().replace(/^RRULE:/i, ''));
  const floatingStart = new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
  if (options.until) {
    // UNTIL is an instant; compare it in floating time too.
    const until = DateTime.fromJSDate(options.until, { zone: 'utc' }).setZone(timeZone);
    options.until = new Date(Date.UTC(until.year, until.month - 1, until.day, until.hour, until.minute, until.second));
  }
  const rule = new RRule({ ...options, dtstart: floatingStart });
  const toInstant = (floating: Date) =>
    DateTime.fromObject(
      {
        year: floating.getUTCFullYear(),
        month: floating.getUTCMonth() + 1,
        day: floating.getUTCDate(),
        hour: floating.getUTCHours(),
        minute: floating.getUTCMinutes(),
        second: floating.getUTCSeconds(),
      },
      { zone: timeZone },
    );
  if (!window) return rule.all((_d, i) => i < MAX_OCCURRENCES).map(toInstant);
  // Widen the floating window by a day on both sides for zone offsets, then filter on real instants.
  const from = window.from.minus({ days: 2 }).toUTC();
  const to = window.to.plus({ days: 2 }).toUTC();
  return rule
    .between(new Date(from.toMillis()), new Date(to.toMillis()), true)
    .map(toInstant)
    .filter((start) => start >= window.from.minus({ days: 1 }) && start < window.to);
}

/** When the last occurrence of a series ends (the first one's end for a single meeting). */
export function seriesEnd(
  startsAt: DateTime,
  timeZone: string,
  recurrence: string | undefined,
  durationMinutes: number,
): DateTime {
  const starts = occurrenceStarts(startsAt, timeZone, recurrence);
  const last = starts.at(-1) ?? startsAt;
  return last.plus({ minutes: durationMinutes });
}
