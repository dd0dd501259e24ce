import { currentSite, guestLinkStore, mailSettingsStore } from '../composition.js';
import { newGuestLink } from '../domain/guests.js';
import { cancelMeeting, listOccurrences, readableMeeting, scheduleMeeting, updateMeeting } from '../domain/meeting-scheduling.js';
import type { Meeting } from '../domain/meeting.js';
import { conflict, DomainError, forbidden } from '../domain/errors.js';
import { seededId } from '../domain/ids.js';
import { requireMailSettings } from '../domain/mail.js';
import { etagOf, type Tenant } from '../domain/tenant.js';
import { guestPageUrl, meetingPageUrl } from '../domain/web-links.js';
import { sendInvitations, sesTargetOf } from '../mail/mailer.js';
import { meetingCalendar } from '../http/ics.js';
import { idempotent } from '../http/idempotency.js';
import { optionalVersion, requiredVersion } from '../http/if-match.js';
import { meetingRepresentation } from '../http/meeting-representation.js';
import { problems } from '../http/problem.js';
import { OPERATIONS } from '../api/operations/meetings.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import type { TenantPrincipal } from '../http/auth/tenant-user.js';
import { route, routeGroup, type RouteResult } from '../http/route.js';
import { schedulingFor } from '../http/tenant-context.js';

const site = currentSite();
const mailSettings = mailSettingsStore(site);
const guestLinks = guestLinkStore(site);

/**
 * With guests on, each invitee's mail carries a guest link of their own: a
 * single-use code for this meeting, stored only as its hash. The code is in
 * the link's fragment, which browsers never send, and is redeemed in a POST
 * body, so it reaches no URL of ours and no access log. It is not in the .ics,
 * which calendars share more widely than mail. The link opens the tenant's
 * web app, which redeems the code.
 */
async function guestLinkText(tenant: Tenant, meeting: Meeting, inviteeRef: string): Promise<string> {
  const { code, link } = newGuestLink(tenant.id, meeting, inviteeRef, new Date());
  await guestLinks.put(tenant.id, link);
  const url = guestPageUrl(tenant, site.config.webUrl, code);
  return [
    '',
    '',
    `No account with the organisation? Join as a guest with this link, once, until ${link.validUntil}:`,
    url,
    'It is yours alone and for this meeting only: a host lets you in from the waiting room.',
  ].join('\n');
}

function represented(meeting: Meeting, access: { isHost: boolean; manage: boolean }, status = 200): RouteResult {
  return {
    status,
    body: meetingRepresentation(meeting, { isHost: access.isHost, canManage: access.manage }),
    headers: { etag: etagOf(meeting.version) },
  };
}

function encodeCursor(position: { startsAt: string; meetingId: string }): string {
  return Buffer.from(`${position.startsAt}|${position.meetingId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { startsAt: string; meetingId: string } {
  const [startsAt, meetingId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!startsAt || !meetingId || Number.isNaN(Date.parse(startsAt))) {
    throw problems.validation([{ in: 'query', field: 'cursor', message: 'is not a cursor from an earlier page' }]);
  }
  return { startsAt, meetingId };
}

/** A created meeting's answer names where it lives, the first time and on every replay of the same request. */
function created(result: RouteResult, meetingId: string): RouteResult {
  return { ...result, headers: { ...result.headers, location: `/v1/meetings/${meetingId}` } };
}

/** Mails each invitee the meeting's calendar (and, with guests on, their own guest link); how many were sent. */
async function sendMeetingInvitations(
  principal: TenantPrincipal,
  meeting: Meeting,
  ctx: Awaited<ReturnType<typeof schedulingFor>>['ctx'],
): Promise<number> {
  const mail = await mailSettings.get({ tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn });
  const settings = requireMailSettings(mail?.settings);
  // The tenant as stored now, not as cached with the caller's token: turning guests off takes effect at once.
  const tenant = (await site.tenants.get(principal.tenant.id)) ?? principal.tenant;
  const meetingUrl = meetingPageUrl(tenant, site.config.webUrl, meeting.id);
  const ics = meetingCalendar(meeting, meetingUrl);
  const guests = tenant.guests === true;
  const messages = [];
  for (const to of meeting.invitees) {
    const guestText = guests ? await guestLinkText(tenant, meeting, ctx.emailRef(to)) : '';
    messages.push({
      to,
      subject: `Invitation: ${meeting.title}`,
      text: `You are invited to "${meeting.title}". The attached calendar event has the time; join at ${meetingUrl}${guestText}`,
      ics,
    });
  }
  return sendInvitations(settings, mail?.password, sesTargetOf(site.config), messages, site.outbound);
}

export const handler = routeGroup(tenantCallers(site.authenticator), {
  'POST /v1/meetings': route(OPERATIONS['POST /v1/meetings'], async (request, context) => {
    const principal = request.caller;
    const { viewer, ctx } = await schedulingFor(site, principal);
    return idempotent(
      site.idempotency,
      site.idempotency.userScope(principal.tenant.id, viewer.userRef),
      request,
      async (seed) => {
        const id = seed === undefined ? undefined : seededId('mt', seed);
        try {
          const meeting = await scheduleMeeting(ctx, viewer, request.body, id);
          return { result: created(represented(meeting, { isHost: true, manage: true }, 201), meeting.id), ref: meeting.id };
        } catch (error) {
          // An earlier attempt of this very request wrote the meeting and was cut off before it could say so.
          if (!(id !== undefined && error instanceof DomainError && error.kind === 'stale')) throw error;
          const { meeting, access } = await readableMeeting(ctx, viewer, id);
          return { result: created(represented(meeting, access, 201), id), ref: id };
        }
      },
      async (meetingId, status) => {
        const { meeting, access } = await readableMeeting(ctx, viewer, meetingId);
        return created(represented(meeting, access, status), meetingId);
      },
      context,
    );
  }),

  'GET /v1/meetings': route(OPERATIONS['GET /v1/meetings'], async (request) => {
    const principal = request.caller;
    const { viewer, ctx } = await schedulingFor(site, principal);
    const { from, to, cursor, limit } = request.query;
    const page = await listOccurrences(
      ctx,
      viewer,
      { from, to },
      { limit: limit ?? 50, ...(cursor && { after: decodeCursor(cursor) }) },
    );
    const last = page.items.at(-1);
    return {
      status: 200,
      body: {
        items: page.items.map((o) => ({
          meetingId: o.meeting.id,
          title: o.meeting.title,
          startsAt: o.startsAt,
          endsAt: o.endsAt,
          timeZone: o.meeting.timeZone,
          recurring: o.meeting.recurrence !== undefined,
          encryption: o.meeting.encryption,
          isHost: o.access.isHost,
        })),
        ...(page.more && last && { nextCursor: encodeCursor({ startsAt: last.startsAt, meetingId: last.meeting.id }) }),
      },
    };
  }),

  'GET /v1/meetings/{meetingId}': route(OPERATIONS['GET /v1/meetings/{meetingId}'], async (request) => {
    const principal = request.caller;
    const { viewer, ctx } = await schedulingFor(site, principal);
    const { meeting, access } = await readableMeeting(ctx, viewer, request.path.meetingId);
    return represented(meeting, access);
  }),

  'PATCH /v1/meetings/{meetingId}': route(OPERATIONS['PATCH /v1/meetings/{meetingId}'], async (request) => {
    const principal = request.caller;
    const { viewer, ctx } = await schedulingFor(site, principal);
    const version = requiredVersion(request);
    const { meeting, access } = await updateMeeting(ctx, viewer, request.path.meetingId, version, request.body);
    return represented(meeting, access);
  }),

  'DELETE /v1/meetings/{meetingId}': route(OPERATIONS['DELETE /v1/meetings/{meetingId}'], async (request) => {
    const principal = request.caller;
    const { viewer, ctx } = await schedulingFor(site, principal);
    const { meeting, access } = await cancelMeeting(ctx, viewer, request.path.meetingId, optionalVersion(request));
    return represented(meeting, access);
  }),

  'POST /v1/meetings/{meetingId}/invitations': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/invitations'],
    async (request, context) => {
      const principal = request.caller;
      const { viewer, ctx } = await schedulingFor(site, principal);
      const { meeting, access } = await readableMeeting(ctx, viewer, request.path.meetingId);
      if (!access.manage) throw forbidden('only the host or an admin may send invitations');
      if (meeting.status === 'cancelled') throw conflict('the meeting is cancelled');
      // A retry with the same Idempotency-Key answers how many were sent the first time, and mails no one again.
      return idempotent(
        site.idempotency,
        site.idempotency.userScope(principal.tenant.id, viewer.userRef),
        request,
        async () => {
          const sent = await sendMeetingInvitations(principal, meeting, ctx);
          return { result: { status: 200, body: { sent } }, ref: String(sent) };
        },
        async (sent, status) => ({ status, body: { sent: Number(sent) } }),
        context,
      );
    },
  ),

  'GET /v1/meetings/{meetingId}/invite.ics': route(OPERATIONS['GET /v1/meetings/{meetingId}/invite.ics'], async (request) => {
    const principal = request.caller;
    const { viewer, ctx } = await schedulingFor(site, principal);
    const { meeting } = await readableMeeting(ctx, viewer, request.path.meetingId);
    return {
      status: 200,
      rawBody: meetingCalendar(meeting, meetingPageUrl(principal.tenant, site.config.webUrl, meeting.id)),
      headers: {
        'content-type': 'text/calendar; charset=utf-8',
        'content-disposition': `attachment; filename="${meeting.id}.ics"`,
        etag: etagOf(meeting.version),
      },
    };
  }),
});
