import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { siteTableName } from '../../config/tables.js';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { seriousViolations } from '../support/axe.js';
import { launchBrowser, newContext, screenshotPath, signIn, webUrl } from '../support/browser.js';
import { smtpInbox, type SmtpInbox } from '../support/smtp-inbox.js';
import { api, dynamodbOf, stack } from '../support/stack.js';
import { operatorHeaders } from '../support/tenants.js';

/**
 * The administration pages in Debian's Chromium, as the demo tenant's admin
 * (dora) uses them: every step the page takes is read back through the API
 * afterwards, and a user who is not an admin sees none of it.
 */
const STEP = 120_000;
const run = promisify(execFile);

let browser: Browser;
let context: BrowserContext;
let page: Page;
let inbox: SmtpInbox;
const downloads = mkdtempSync(join(tmpdir(), 'meetplane-admin-'));

async function as(user: string, roles: string[], path: string, init: RequestInit & { json?: unknown } = {}) {
  const token = await devToken({ user, roles });
  const { json, headers, ...rest } = init;
  return api('fra', path, {
    ...rest,
    headers: {
      authorization: `Bearer ${token}`,
      ...(json !== undefined && { 'content-type': 'application/json' }),
      ...((headers as Record<string, string>) ?? {}),
    },
    ...(json !== undefined && { body: JSON.stringify(json) }),
  });
}
const asDora = (path: string, init: RequestInit & { json?: unknown } = {}) => as('dora', ['admin', 'host'], path, init);

/** Waits until `condition` holds (the page's content security policy forbids waitForFunction's evaluated strings). */
async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Opens an admin page from the navigation, checks it with axe-core and writes its screenshot. */
async function openPage(link: string, heading: string, screenshot: string) {
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  await until(async () => (await page.getByText('Loading…').count()) === 0);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: screenshotPath(screenshot), fullPage: true });
}

async function saveDownload(trigger: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
  const path = join(downloads, (download as Download).suggestedFilename());
  await (download as Download).saveAs(path);
  return path;
}

beforeAll(async () => {
  inbox = await smtpInbox();
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  await signIn(page, 'dora', '/demo/admin');
}, STEP);

afterAll(async () => {
  await browser?.close();
  await inbox?.close();
});

describe('the administration pages', () => {
  it(
    'show the organisation: where its data and media are, its key, plan and residency per data class, from the API',
    async () => {
      await page.getByRole('heading', { name: 'Your organisation' }).waitFor();
      expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(1);
      const overview = (await asDora('/v1/settings/organisation')).body as {
        key: { keyArn: string };
        residency: { dataClass: string; retentionDays?: number }[];
      };
      expect(await page.getByText(overview.key.keyArn).count()).toBe(1);
      const rows = page.getByTestId('residency').locator('tbody tr');
      expect(await rows.count()).toBe(overview.residency.length);
      const attendance = overview.residency.find((r) => r.dataClass === 'attendance')!;
      expect(await rows.and(page.locator('[data-class="attendance"]')).textContent()).toContain(
        `${attendance.retentionDays} days`,
      );
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('admin-overview'), fullPage: true });
    },
    STEP,
  );

  it(
    'change a retention period within its bounds with If-Match, and say when someone else changed it',
    async () => {
      await openPage('Retention', 'Retention', 'admin-retention');
      // Out of bounds: refused beside the field before anything is sent.
      await page.getByLabel('Audit log (days)').fill('5');
      await page.getByRole('button', { name: 'Save' }).click();
      expect(await page.getByLabel('Audit log (days)').getAttribute('aria-invalid')).toBe('true');
      await page
        .getByLabel('Audit log (days)')
        .fill(String(((await asDora('/v1/settings/retention')).body as { periods: { audit: number } }).periods.audit));

      await page.getByLabel('Attendance (days)').fill('21');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      const after = (await asDora('/v1/settings/retention')).body as { periods: { attendance: number }; etag: string };
      expect(after.periods.attendance).toBe(21);

      // Someone else changes it meanwhile: the page says so and offers to reload.
      const other = await asDora('/v1/settings/retention', {
        method: 'PATCH',
        json: { attendance: 22 },
        headers: { 'if-match': after.etag },
      });
      expect(other.status).toBe(200);
      await page.getByLabel('Attendance (days)').fill('23');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Someone else changed this setting meanwhile').waitFor();
      expect(((await asDora('/v1/settings/retention')).body as { periods: { attendance: number } }).periods.attendance).toBe(22);
      await page.getByRole('button', { name: 'Reload' }).click();
      await until(async () => (await page.getByLabel('Attendance (days)').inputValue()) === '22');
    },
    STEP,
  );

  it(
    'grant support access, show each use support makes of it beside the grant, and revoke it at once',
    async () => {
      await openPage('Support access', 'Support access', 'admin-support');
      const ticket = `T-${Date.now().toString(36)}`;
      await page.getByLabel('Support ticket').fill(ticket);
      await page.getByRole('button', { name: 'Grant access' }).click();
      await page.getByText(`Access granted for ticket ${ticket}.`).waitFor();
      type Grant = { id: string; ticketId: string; revoked: boolean; scopes: string[]; allowOutsideEu: boolean };
      const grants = () => asDora('/v1/support/grants').then((r) => (r.body as { items: Grant[] }).items);
      const grant = (await grants()).find((g) => g.ticketId === ticket)!;
      expect(grant).toMatchObject({ revoked: false, scopes: ['settings:read'], allowOutsideEu: false });

      // Support reads the settings under the grant; the page shows the use beside it.
      const read = await api('fra', `/v1/support/tenants/${stack().demoTenantId}/settings?ticket=${ticket}&location=eu`, {
        headers: operatorHeaders(),
      });
      expect(read.status).toBe(200);
      await page.reload();
      const card = page.locator(`[data-grant="${grant.id}"]`);
      await card.getByText('1 use by support').waitFor();

      await card.getByRole('button', { name: `Revoke access for ticket ${ticket}` }).click();
      await page.getByText(`Access for ticket ${ticket} revoked.`).waitFor();
      expect((await grants()).find((g) => g.id === grant.id)?.revoked).toBe(true);
      const refused = await api('fra', `/v1/support/tenants/${stack().demoTenantId}/settings?ticket=${ticket}&location=eu`, {
        headers: operatorHeaders(),
      });
      expect(refused.status).toBe(403);
    },
    STEP,
  );

  it(
    'verify the audit log, find an entry edited in DynamoDB, and check the signed head outside the app',
    async () => {
      await openPage('Audit log', 'Audit log', 'admin-audit');
      await page.getByRole('button', { name: 'Sign the newest entry now' }).click();
      await page.getByTestId('verdict').getByText('The log is intact').waitFor();

      // The signed head, the public key and the checker, downloaded as a user would, verify outside the app.
      const head = await saveDownload(() => page.getByRole('button', { name: 'Signed head (head.json)' }).click());
      const key = await saveDownload(() => page.getByRole('button', { name: 'Public key (signing-key.json)' }).click());
      const pem = await saveDownload(() => page.getByRole('button', { name: 'Public key (signing-key.pem)' }).click());
      const script = await saveDownload(() => page.getByRole('link', { name: 'Checker (verify-audit-head.mjs)' }).click());
      expect(readFileSync(script, 'utf8')).toContain("from 'node:crypto'");
      const checked = await run(process.execPath, [script, head, key], { cwd: downloads });
      expect(checked.stdout).toMatch(/^VALID: tenant /);
      // And with OpenSSL, running the commands the page shows.
      const commands = (await page.locator('pre code').last().textContent()) ?? '';
      expect(pem.endsWith('signing-key.pem')).toBe(true);
      const openssl = await run('bash', ['-c', commands], { cwd: downloads });
      expect(openssl.stdout.trim()).toBe('Verified OK');
      const verdict = (await asDora('/v1/audit/verify')).body as { signedHead: { seq: number } };
      expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ seq: verdict.signedHead.seq });

      // An entry edited behind the API's back: Verify reports it, and the API agrees.
      const table = siteTableName('fra');
      const entryKey = marshall({ pk: `T#${stack().demoTenantId}`, sk: `AUDIT#${String(2).padStart(12, '0')}` });
      const { Item } = await dynamodbOf('fra').send(new GetItemCommand({ TableName: table, Key: entryKey }));
      const raw = unmarshall(Item!) as { entry: Record<string, unknown> };
      await dynamodbOf('fra').send(
        new PutItemCommand({
          TableName: table,
          Item: marshall({ ...raw, entry: { ...raw.entry, reason: 'nothing to see here' } }),
        }),
      );
      try {
        await page.getByRole('button', { name: 'Verify', exact: true }).click();
        await page.getByTestId('verdict').locator('[data-break="edited"]').waitFor();
        expect(await page.getByTestId('verdict').textContent()).toContain('entry 2');
        expect((await asDora('/v1/audit/verify')).body).toMatchObject({ intact: false, breaks: [{ kind: 'edited', seq: 2 }] });
        expect(await seriousViolations(page)).toEqual([]);
        await page.screenshot({ path: screenshotPath('admin-audit-broken'), fullPage: true });
      } finally {
        await dynamodbOf('fra').send(new PutItemCommand({ TableName: table, Item: Item! }));
      }
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await page.getByTestId('verdict').getByText('The log is intact').waitFor();

      // Filtered by actor kind and action.
      await page.getByLabel('By').selectOption('operator');
      await page.getByRole('button', { name: 'Show' }).click();
      const cells = (column: number) => page.locator(`tbody tr td:nth-child(${column})`).allTextContents();
      await until(async () => {
        const actors = await cells(3);
        return actors.length > 0 && actors.every((c) => c === 'operator');
      });
      await page.getByLabel('By').selectOption('');
      await page.getByLabel('Action').fill('support');
      await page.getByRole('button', { name: 'Show' }).click();
      await until(async () => {
        const actions = await cells(4);
        return actions.length > 0 && actions.every((c) => c.startsWith('support.'));
      });
    },
    STEP,
  );

  it(
    "export a user's data (downloaded, with a summary) and erase it (with the receipt), each confirmed first",
    async () => {
      // Erin has something here: her preferences.
      expect((await as('erin', [], '/v1/me/preferences', { method: 'PATCH', json: { productNews: true } })).status).toBe(200);
      await openPage('Data-subject requests', 'Data-subject requests', 'admin-data-subjects');
      await page.getByLabel('User’s subject at your identity provider').fill('erin');
      await page.getByLabel('Their e-mail address (optional)').fill('erin@demo.example');
      await page.getByRole('button', { name: 'Export…' }).click();
      await page.getByRole('alertdialog').getByText('Export everything held about “erin”?').waitFor();
      const file = await saveDownload(() => page.getByRole('button', { name: 'Export now' }).click());
      const exported = JSON.parse(readFileSync(file, 'utf8')) as { tenantId: string; preferences: { productNews: boolean } };
      expect(exported).toMatchObject({ tenantId: stack().demoTenantId, preferences: { productNews: true } });
      await page.getByTestId('export-summary').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('admin-data-subjects-export'), fullPage: true });

      await page.getByRole('button', { name: 'Erase…' }).click();
      await page.getByRole('alertdialog').getByText('This cannot be undone').waitFor();
      await page.getByRole('button', { name: 'Erase now' }).click();
      const receipt = page.getByTestId('erasure-receipt');
      await receipt.waitFor();
      expect(await receipt.textContent()).toContain('Nothing about them remains.');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('admin-data-subjects-erase'), fullPage: true });

      expect((await as('erin', [], '/v1/me/preferences')).body).toEqual({ productNews: false, marketing: false });
      const audit = (await asDora('/v1/audit?action=privacy&limit=200')).body as { items: { action: string }[] };
      expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(['privacy.export', 'privacy.erasure']));
    },
    STEP,
  );

  it(
    'read an abuse report, play its clip (an audited read) and resolve it with an outcome',
    async () => {
      // Frank, invited to a meeting of dora's, reports it with the last seconds of his microphone as the clip.
      const meeting = await asDora('/v1/meetings', {
        method: 'POST',
        json: {
          title: 'Reported meeting',
          startsAt: new Date(Date.now() + 3600_000).toISOString(),
          durationMinutes: 30,
          timeZone: 'Europe/Berlin',
          invitees: ['frank@demo.example'],
        },
      });
      expect(meeting.status).toBe(201);
      const clip = (await page.evaluate(`(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const recorder = new MediaRecorder(stream, { mimeType: 'audio/webm' });
      const chunks = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((done) => (recorder.onstop = done));
      recorder.start();
      await new Promise((done) => setTimeout(done, 1500));
      recorder.stop();
      await stopped;
      stream.getTracks().forEach((t) => t.stop());
      const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    })()`)) as string;
      const filed = await as('frank', [], `/v1/meetings/${(meeting.body as { id: string }).id}/reports`, {
        method: 'POST',
        json: { reason: 'harassment', details: 'Shouting at the speaker.', clip: { contentType: 'audio/webm', data: clip } },
      });
      expect(filed.status).toBe(201);
      const reportId = (filed.body as { id: string }).id;

      await openPage('Abuse reports', 'Abuse reports', 'admin-reports');
      await page.locator(`li[data-report="${reportId}"]`).getByRole('button', { name: 'Read' }).click();
      const detail = page.locator(`section[data-report="${reportId}"]`);
      await detail.getByText('Shouting at the speaker.').waitFor();
      expect(await detail.getByText('Playing the clip is recorded in your audit log.').count()).toBe(1);
      await detail.getByRole('button', { name: /Play the clip/ }).click();
      const audio = detail.locator('audio');
      await audio.waitFor();
      // The browser decodes and plays it: its current time moves on, and no media error.
      type Media = { currentTime: number; readyState: number; error: { code: number } | null };
      const state = () =>
        audio.evaluate((element) => {
          const media = element as unknown as Media;
          return { time: media.currentTime, ready: media.readyState, error: media.error?.code ?? null };
        });
      await until(async () => {
        const now = await state();
        return now.error === null && (now.time > 0 || now.ready >= 2);
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await state())}`);
      });
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('admin-report'), fullPage: true });

      await detail.getByRole('button', { name: 'Resolve the report' }).click();
      expect(await detail.getByLabel('Outcome').getAttribute('aria-invalid')).toBe('true');
      await detail.getByLabel('Outcome').selectOption('warned');
      await detail.getByLabel('Note (optional)').fill('Spoke to them.');
      await detail.getByRole('button', { name: 'Resolve the report' }).click();
      await page.getByText('The report is resolved.').waitFor();

      expect((await asDora(`/v1/reports/${reportId}`)).body).toMatchObject({ status: 'resolved', outcome: 'warned' });
      const audit = (await asDora('/v1/audit?action=report&limit=200')).body as { items: { action: string; target: string }[] };
      const about = audit.items.filter((e) => e.target.includes(reportId)).map((e) => e.action);
      expect(about).toEqual(['report.clip-read', 'report.resolve']);
    },
    STEP,
  );

  it(
    'set the security contacts and a webhook whose secret is shown once, and list the advisories',
    async () => {
      await openPage('Security contacts', 'Security contacts and advisories', 'admin-security');
      await page.getByLabel('Addresses (one per line)').fill('security@demo.example\nnot-an-address');
      await page.getByRole('button', { name: 'Save' }).click();
      expect(await page.getByLabel('Addresses (one per line)').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Addresses (one per line)').fill('security@demo.example\nsoc@demo.example');
      // A webhook the API refuses (the local stack sends nothing off the machine): its problem shows beside the field.
      const webhook = page.getByLabel('Webhook (optional)');
      await webhook.fill('https://hooks.example.org/advisories');
      await page.getByRole('button', { name: 'Generate' }).click();
      await page.getByRole('button', { name: 'Save' }).click();
      await until(async () => (await webhook.getAttribute('aria-invalid')) === 'true');
      const describedBy = ((await webhook.getAttribute('aria-describedby')) ?? '').split(' ').at(-1)!;
      expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('loopback');
      expect(((await asDora('/v1/settings/security-contacts')).body as { webhook?: { url: string } }).webhook?.url).not.toBe(
        'https://hooks.example.org/advisories',
      );
      await webhook.fill('http://127.0.0.1:9/advisories');
      await page.getByRole('button', { name: 'Save' }).click();
      const secret = (await page.getByTestId('secret-once').locator('code').textContent()) ?? '';
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect((await asDora('/v1/settings/security-contacts')).body).toMatchObject({
        configured: true,
        emails: ['security@demo.example', 'soc@demo.example'],
        webhook: { url: 'http://127.0.0.1:9/advisories', secretSet: true },
      });
      // The API never shows the secret again.
      expect(JSON.stringify((await asDora('/v1/settings/security-contacts')).body)).not.toContain(secret);
    },
    STEP,
  );

  it(
    "set the organisation's own mail server and send a test message through it",
    async () => {
      await openPage('Mail', 'Mail', 'admin-mail');
      await page.getByRole('radio', { name: 'Our SMTP server' }).check();
      await page.getByLabel('Server', { exact: true }).fill('127.0.0.1');
      await page.getByLabel('Port', { exact: true }).fill(String(inbox.port));
      await page.getByLabel(/TLS from the start/).uncheck();
      await page.getByLabel('Sender address').fill('meetings@demo.example');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      expect((await asDora('/v1/settings/mail')).body).toMatchObject({ transport: 'smtp', host: '127.0.0.1', port: inbox.port });
      await page.getByLabel('To', { exact: true }).fill('it-desk@demo.example');
      await page.getByRole('button', { name: 'Send test message' }).click();
      await page.getByText('The mail server accepted the test message to it-desk@demo.example.').waitFor();
      expect(inbox.mails.map((m) => m.to)).toContain('it-desk@demo.example');

      // Amazon SES in the home site's region instead (the local stack's emulator); the demo tenant keeps it, so that
      // later tests' mail does not go to this test's server once it has stopped.
      await page.getByRole('radio', { name: 'Amazon SES in the home site’s region' }).check();
      await page.getByLabel('Sender address').fill('meetings@demo.example');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(`Now: Amazon SES in ${stack().sites.fra.region}`).waitFor();
      expect((await asDora('/v1/settings/mail')).body).toMatchObject({ transport: 'ses', region: stack().sites.fra.region });
      await page.getByLabel('To', { exact: true }).fill('soc-desk@demo.example');
      await page.getByRole('button', { name: 'Send test message' }).click();
      await page.getByText('The mail server accepted the test message to soc-desk@demo.example.').waitFor();
      const store = (await (await fetch(`${stack().sesEndpoint}/store`)).json()) as {
        emails: { destination: { to: string[] } }[];
      };
      expect(store.emails.some((m) => m.destination.to.includes('soc-desk@demo.example'))).toBe(true);
    },
    STEP,
  );

  it(
    'let every user opt in to communications, off until they do',
    async () => {
      // Someone who never chose is opted out of everything.
      expect((await as('gina', [], '/v1/me/preferences')).body).toEqual({ productNews: false, marketing: false });
      await asDora('/v1/me/preferences', { method: 'PATCH', json: { productNews: false, marketing: false } });
      await page.getByRole('link', { name: 'Preferences' }).click();
      await page.getByRole('heading', { name: 'Communication preferences' }).waitFor();
      expect(await page.getByLabel('Product news').isChecked()).toBe(false);
      await page.getByLabel('Product news').check();
      await page.getByText('Saved.').waitFor();
      expect((await asDora('/v1/me/preferences')).body).toEqual({ productNews: true, marketing: false });
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('admin-preferences'), fullPage: true });
    },
    STEP,
  );
});

describe('someone who is not an admin', () => {
  it(
    'sees none of these pages, and the API refuses them if called directly',
    async () => {
      const other = await newContext(browser);
      try {
        const bobPage = await other.newPage();
        await signIn(bobPage, 'bob', '/demo');
        await bobPage.getByRole('link', { name: 'Preferences' }).waitFor();
        expect(await bobPage.getByRole('link', { name: 'Administration' }).count()).toBe(0);
        await bobPage.goto(webUrl('/demo/admin/audit'));
        await bobPage.getByText('These pages are for your organisation’s administrators.').waitFor();
        expect(await bobPage.getByRole('button', { name: 'Verify' }).count()).toBe(0);
        expect(await seriousViolations(bobPage)).toEqual([]);
      } finally {
        await other.close();
      }
      for (const [method, path, json] of [
        ['GET', '/v1/settings/organisation'],
        ['GET', '/v1/settings/retention'],
        ['GET', '/v1/support/grants'],
        ['GET', '/v1/audit'],
        ['GET', '/v1/audit/verify'],
        ['GET', '/v1/reports'],
        ['GET', '/v1/settings/security-contacts'],
        ['GET', '/v1/settings/mail'],
        ['POST', '/v1/data-subjects/export', { subject: 'alice' }],
      ] as const) {
        const res = await as('bob', [], path, { method, ...(json && { json }) });
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
    },
    STEP,
  );
});
