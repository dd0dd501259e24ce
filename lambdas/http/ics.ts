import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { Meeting } from '../domain/meeting.js';

/**
 * An RFC 5545 calendar with the meeting as one event: local times with a
 * VTIMEZONE for the meeting's zone, the recurrence rule, and a SEQUENCE that
 * follows the meeting's version so calendar clients apply updates; its URL
 * is the meeting's page in the web app.
 */
/**
 * The zone's VTIMEZONE from a maintained data package that ships its rules as
 * code (so it works bundled, and is rebuilt from the IANA database with each
 * release); null for a zone it does not know, and the event then carries UTC.
 */
function vtimezoneOf(zone: string): string | null {
  const block = tzlib_get_ical_block(zone);
  return Array.isArray(block) && block[0] ? block[0] : null;
}

export function meetingCalendar(meeting: Meeting, meetingUrl: string): string {
  const calendar = ical({
    prodId: { company: 'Meetplane', product: 'Meetplane', language: 'EN' },
    timezone: { name: meeting.timeZone, generator: vtimezoneOf },
  });
  const start = DateTime.fromISO(meeting.startsAt, { zone: 'utc' }).setZone(meeting.timeZone);
  calendar.createEvent({
    id: `${meeting.id}@meetplane`,
    sequence: meeting.version - 1,
    start,
    end: start.plus({ minutes: meeting.durationMinutes }),
    timezone: meeting.timeZone,
    summary: meeting.title,
    ...(meeting.description !== undefined && { description: meeting.description }),
    url: meetingUrl,
    ...(meeting.recurrence !== undefined && { repeating: `RRULE:${meeting.recurrence}` }),
    status: meeting.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  // ical-generator writes DTSTAMP in the calendar's zone without a TZID; RFC 5545 wants it in UTC.
  const stamp = DateTime.fromISO(meeting.updatedAt, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
  return calendar.toString().replace(/^DTSTAMP:.*$/m, `DTSTAMP:${stamp}`);
}
