import type { z } from 'zod';
import type { meetingResource } from '../api/schemas/meetings.js';
import { NO_SERVER_MEDIA, type Meeting } from '../domain/meeting.js';
import { etagOf } from '../domain/tenant.js';

/** A meeting as its readers see it; the invitee list only for those who manage it. */
export function meetingRepresentation(
  meeting: Meeting,
  viewer: { isHost: boolean; canManage: boolean },
): z.output<typeof meetingResource> {
  return {
    id: meeting.id,
    title: meeting.title,
    ...(meeting.description !== undefined && { description: meeting.description }),
    startsAt: meeting.startsAt,
    durationMinutes: meeting.durationMinutes,
    timeZone: meeting.timeZone,
    ...(meeting.recurrence !== undefined && { recurrence: meeting.recurrence }),
    encryption: meeting.encryption,
    waitingRoom: meeting.waitingRoom,
    features: { ...NO_SERVER_MEDIA, ...meeting.features },
    passcodeProtected: meeting.passcodeHash !== undefined,
    ...(viewer.canManage && { invitees: [...meeting.invitees] }),
    status: meeting.status,
    isHost: viewer.isHost,
    seriesEndsAt: meeting.seriesEndsAt,
    createdAt: meeting.createdAt,
    updatedAt: meeting.updatedAt,
    etag: etagOf(meeting.version),
  };
}
