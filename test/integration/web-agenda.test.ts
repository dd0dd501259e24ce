import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import ICAL from 'ical.js';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { seriousViolations } from '../support/axe.js';
import { launchBrowser, newContext, screenshotPath, signIn, webUrl } from '../support/browser.js';
import { api, stack } from '../support/stack.js';

/**
 * The web client's agenda and scheduling, in Debian's Chromium: a host signs
 * in through the identity provider, schedules a meeting in the form, finds it
 * in the agenda, downloads its calendar file and edits it; what the page did
 * is then read back through the API.
 */
jest.setTimeout(180_000);

let browser: Browser;
let context: BrowserContext;
let page: Page;
const title = `Physics 101 ${Date.now().toString(36)}`;

async function asAlice(path: string, init: RequestInit = {}) {
  const token = await devToken({ user: 'alice', roles: ['host'] });
  return api('fra', path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
}

async function findMeeting(wanted: string): Promise<{ id: string } & Record<string, unknown>> {
  // The week the test schedules in.
  const from = '2027-03-27T00:00:00Z';
  const to = '2027-04-03T00:00:00Z';
  const res = await asAlice(`/v1/meetings?from=${from}&to=${to}&limit=100`);
  const items = (res.body as { items: { meetingId: string; title: string }[] }).items;
  const item = items.find((i) => i.title === wanted);
  if (!item) throw new Error(`no meeting titled ${wanted}`);
  return (await asAlice(`/v1/meetings/${item.meetingId}`)).body as { id: string } & Record<string, unknown>;
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  await signIn(page, 'alice');
});

afterAll(async () => {
  await browser?.close();
});

describe('the agenda and scheduling in the browser', () => {
  it('signs a host in through the OpenID flow and shows their agenda, accessibly', async () => {
    await page.getByRole('heading', { name: 'Your meetings' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/demo');
    expect(await page.getByText('Signed in as').textContent()).toContain('lice');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lists each occurrence of a recurring meeting in the agenda, in the time the user sees', async () => {
    const tomorrow = new Date(Date.now() + 86400_000);
    tomorrow.setUTCHours(8, 0, 0, 0);
    const series = `Daily stand-up ${Date.now().toString(36)}`;
    const created = await asAlice('/v1/meetings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: series,
        startsAt: tomorrow.toISOString(),
        durationMinutes: 15,
        timeZone: 'Europe/Berlin',
        recurrence: 'FREQ=DAILY;COUNT=3',
      }),
    });
    expect(created.status).toBe(201);
    await page.reload();
    await page.getByRole('link', { name: series }).first().waitFor();
    expect(await page.getByRole('link', { name: series }).count()).toBe(3);
    // The context's zone is Europe/Berlin: 08:00 UTC shows as 09:00 (winter time).
    const first = page.locator('li', { hasText: series }).first().locator('time').first();
    expect(Date.parse((await first.getAttribute('datetime'))!)).toBe(tomorrow.getTime());
    expect(await first.textContent()).toBe('09:00');
    await page.screenshot({ path: screenshotPath('agenda'), fullPage: true });
  });

  it("answers a mistake with the API's problem beside the field it names", async () => {
    await page.getByRole('link', { name: 'Schedule a meeting' }).click();
    await page.getByRole('heading', { name: 'Schedule a meeting' }).waitFor();
    await page.getByLabel('Title').fill('   ');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').textContent()).toMatch(/title/i);
  });

  it('schedules a meeting from the form, in the time zone the user sees', async () => {
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Date').fill('2027-03-29');
    await page.getByLabel('Start time').fill('09:30');
    await page.getByLabel('Duration (minutes)').fill('45');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByLabel('Repeats').selectOption('weekly');
    await page.getByLabel('Number of occurrences').fill('4');
    await page.getByLabel('Passcode (optional)').fill('482913');
    await page.getByLabel('Invitees (e-mail addresses, one per line)').fill('bob@demo.example\ncarol@demo.example');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('schedule'), fullPage: true });
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.getByRole('heading', { name: 'Your meetings' }).waitFor();

    const meeting = await findMeeting(title);
    expect(meeting).toMatchObject({
      title,
      // 09:30 in Berlin on 29 March 2027 is summer time (UTC+2).
      startsAt: '2027-03-29T07:30:00.000Z',
      durationMinutes: 45,
      timeZone: 'Europe/Berlin',
      recurrence: 'FREQ=WEEKLY;COUNT=4',
      waitingRoom: true,
      passcodeProtected: true,
      encryption: 'standard',
      invitees: ['bob@demo.example', 'carol@demo.example'],
    });
  });

  it("downloads the meeting's calendar file, which links to the meeting's page in the web app", async () => {
    const meeting = await findMeeting(title);
    // The agenda shows four weeks from now; the meeting's own page is the way in for one further ahead.
    await page.goto(webUrl(`/demo/m/${meeting.id}/edit`));
    await page.getByRole('heading', { name: 'Edit meeting' }).waitFor();
    const res = await asAlice(`/v1/meetings/${meeting.id}/invite.ics`);
    const calendar = new ICAL.Component(ICAL.parse(String(res.body)));
    const event = calendar.getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('summary')).toBe(title);
    expect(String(event.getFirstPropertyValue('url'))).toBe(`${stack().web.url}/demo/m/${meeting.id}`);
  });

  it('edits the meeting with If-Match, and says so when someone changed it meanwhile', async () => {
    const meeting = await findMeeting(title);
    await page.getByLabel('Title').fill(`${title} (moved)`);
    // Someone else changes the meeting after the page loaded it.
    const other = await asAlice(`/v1/meetings/${meeting.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': String(meeting.etag) },
      body: JSON.stringify({ durationMinutes: 50 }),
    });
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Someone changed this meeting meanwhile');
    expect((await findMeeting(title)).title).toBe(title);

    await page.reload();
    await page.getByLabel('Title').fill(`${title} (moved)`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Your meetings' }).waitFor();
    const saved = await findMeeting(`${title} (moved)`);
    expect(saved).toMatchObject({ durationMinutes: 50, startsAt: '2027-03-29T07:30:00.000Z' });
  });

  it('speaks German and Dutch, chosen from the browser or switched on the page', async () => {
    const german = await newContext(browser, { locale: 'de-DE' });
    const germanPage = await german.newPage();
    await signIn(germanPage, 'bob');
    await germanPage.getByRole('heading', { name: 'Ihre Besprechungen' }).waitFor();
    expect(await germanPage.locator('html').getAttribute('lang')).toBe('de');
    await germanPage.getByLabel('Sprache').selectOption('nl');
    await germanPage.getByRole('heading', { name: 'Uw vergaderingen' }).waitFor();
    expect(await germanPage.locator('html').getAttribute('lang')).toBe('nl');
    await german.close();
  });
});
