import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateDeviceIdentity, generateMediaKey, sealMediaKey, type DeviceRegistration } from '../../media/e2ee/index.js';
import { RUN_DIR } from '../../scripts/local-stack/layout.js';
import { launchBrowser, newContext, screenshotPath, signIn } from '../support/browser.js';
import { scanRegion, searchableText } from '../support/scan.js';
import { stack } from '../support/stack.js';
import { aliceMeeting, meetingPageAs } from '../support/web-meeting.js';
import { recordPeerConnections, untilReceiving } from '../support/webrtc-stats.js';

/**
 * An end-to-end encrypted meeting in Debian's Chromium, one browser and a
 * context per person: the host's page makes each epoch's key and seals it to
 * every device, the participants' pages open theirs; everyone sees and hears
 * everyone, shows the same security code, and a new one after someone leaves.
 * A fourth page is handed a wrong key by a server in the middle (its envelope
 * and the sender's registration are swapped on the wire): it joins the room,
 * decodes no frame, and its security code differs. Chat is sealed with the
 * meeting's key: it reaches those who hold it, not the wrong key's page, and
 * its text is nowhere in what the control plane stores or any log of the stack.
 * A standard meeting a host upgrades while it runs turns end to end on every
 * page, without a rejoin by hand.
 */
jest.setTimeout(240_000);

let browser: Browser;
const contexts: BrowserContext[] = [];
let meetingId: string;

async function person(user: string, meeting = meetingId): Promise<Page> {
  const { context, page } = await meetingPageAs(browser, user, meeting);
  contexts.push(context);
  return page;
}

async function join(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Join', exact: true }).click();
}

const chatLog = (page: Page) => page.getByRole('log', { name: 'Chat messages' });
async function openChat(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Chat' }).click();
}

const securityCode = (page: Page) => page.getByLabel('Security code', { exact: true });
async function codeOf(page: Page): Promise<string> {
  // The code is on the room's "Encryption" tab.
  const tab = page.getByRole('tab', { name: 'Encryption' });
  await tab.waitFor({ timeout: 45_000 });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  await securityCode(page).waitFor({ timeout: 45_000 });
  return (await securityCode(page).textContent())!.trim();
}

/** Waits until every page shows one and the same code, other than `not`, and returns it. */
async function sameCode(pages: Page[], not?: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const codes = await Promise.all(pages.map(codeOf));
    if (codes.every((c) => c === codes[0]) && codes[0] !== not) return codes[0]!;
    if (Date.now() > deadline) throw new Error(`codes differ: ${codes.join(' | ')}`);
    await pages[0]!.waitForTimeout(1000);
  }
}

beforeAll(async () => {
  meetingId = await aliceMeeting('Encrypted', { encryption: 'e2ee' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('an end-to-end encrypted meeting in the browser', () => {
  it('lets everyone with the key see, hear and chat with everyone, shows one security code, and shuts out a wrong key', async () => {
    const alice = await person('alice');
    await join(alice);
    const bob = await person('bob');
    await join(bob);
    const carol = await person('carol');
    await join(carol);

    // One code on every device, from the host's key.
    const code = await sameCode([alice, bob, carol]);
    expect(code).toMatch(/^\d{5}( \d{5}){5}$/);

    // Real media: each decodes both others' video and hears them.
    for (const page of [alice, bob, carol]) {
      const got = await untilReceiving(page, (r) => r.videos >= 2 && r.audios >= 2);
      expect(got.videos).toBeGreaterThanOrEqual(2);
    }
    await alice.screenshot({ path: screenshotPath('security-code'), fullPage: true });

    // Dora's page gets a key a server in the middle chose: an envelope sealed to her device by a device of its own.
    const forger = await generateDeviceIdentity();
    const context = await newContext(browser);
    contexts.push(context);
    await recordPeerConnections(context);
    const dora = await context.newPage();
    let doraDevice: DeviceRegistration | undefined;
    const wrongKey = generateMediaKey();
    const web = new URL(stack().web.url).origin;
    const cors = {
      'access-control-allow-origin': web,
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET',
      'content-type': 'application/json',
    };
    const preflight = async (route: Route): Promise<boolean> => {
      if (route.request().method() !== 'OPTIONS') return false;
      await route.fulfill({ status: 204, headers: cors });
      return true;
    };
    await dora.route(/\/v1\/devices$/, async (route: Route) => {
      doraDevice = route.request().postDataJSON() as DeviceRegistration;
      await route.continue();
    });
    await dora.route(/\/epochs\/\d+\/envelope\?/, async (route: Route) => {
      if (await preflight(route)) return;
      const epoch = Number(/\/epochs\/(\d+)\//.exec(route.request().url())![1]);
      const envelope = await sealMediaKey({ meetingId, epoch, recipient: doraDevice!, mediaKey: wrongKey, sender: forger });
      await route.fulfill({ status: 200, headers: cors, body: JSON.stringify(envelope) });
    });
    await dora.route(
      new RegExp(`/devices/${forger.deviceId}/registration`),
      async (route: Route) =>
        (await preflight(route)) ||
        route.fulfill({
          status: 200,
          headers: cors,
          body: JSON.stringify({ participantId: `p_${'f'.repeat(32)}`, registration: forger.registration }),
        }),
    );
    await signIn(dora, 'dora', `/demo/m/${meetingId}`);
    await join(dora);
    const doraCode = await codeOf(dora);
    // She is in the room (she holds a key, which the engine fetches once connected), yet decodes nothing, and her
    // code gives the swap away.
    const doraGets = await untilReceiving(dora, () => true);
    expect(doraGets.videos).toBe(0);
    expect(doraGets.audios).toBe(0);
    const codesNow = await sameCode([alice, bob, carol]);
    expect(doraCode).not.toBe(codesNow);

    // Chat, sealed with the meeting's key: Alice and Carol read Bob's message; Dora's page, in the room with a wrong
    // key, shows nothing of it.
    const text = `Meet at the north gate ${Date.now().toString(36)}`;
    for (const page of [alice, bob, carol, dora]) await openChat(page);
    await bob.getByLabel('Message', { exact: true }).fill(text);
    await bob.getByRole('button', { name: 'Send', exact: true }).click();
    await chatLog(bob).getByText(text).waitFor({ timeout: 10_000 });
    for (const page of [alice, carol]) await chatLog(page).getByText(text).waitFor({ timeout: 15_000 });
    await dora.waitForTimeout(2000);
    expect(await chatLog(dora).getByText(text).count()).toBe(0);
    // The control plane never had it: not in either site's tables, not in any process's log (gateways, LiveKit, …).
    for (const site of ['fra', 'ams'] as const) expect(searchableText(await scanRegion(site))).not.toContain(text);
    const logsDir = resolve(RUN_DIR, 'logs');
    for (const file of readdirSync(logsDir)) expect(readFileSync(resolve(logsDir, file), 'utf8')).not.toContain(text);

    // Carol leaves: a new epoch, a new key from the host, a new code, the same on the two devices left.
    const carolContext = contexts[2]!;
    await carolContext.close();
    const after = await sameCode([alice, bob], codesNow);
    expect(after).not.toBe(codesNow);
    for (const page of [alice, bob]) {
      const got = await untilReceiving(page, (r) => r.videos >= 1 && r.audios >= 1);
      expect(got.videos).toBeGreaterThanOrEqual(1);
    }
  });

  it('turns a standard meeting end to end when its host upgrades it: every page joins again with a device and decodes the new keys', async () => {
    const standard = await aliceMeeting('Upgraded');
    const alice = await person('alice', standard);
    await join(alice);
    const bob = await person('bob', standard);
    await join(bob);
    for (const page of [alice, bob]) await untilReceiving(page, (r) => r.videos >= 1);
    await expect(securityCode(bob).count()).resolves.toBe(0);

    // The host's Encryption tab offers the upgrade (after a confirmation: nothing turns it back).
    alice.once('dialog', (dialog) => void dialog.accept());
    await alice.getByRole('tab', { name: 'Encryption' }).click();
    await alice.getByRole('button', { name: 'Upgrade to end-to-end encryption' }).click();

    // Both pages join again by themselves, each with a device: one code from the host's key, and media decoded with it.
    for (const page of [alice, bob]) await page.getByText('End-to-end encrypted', { exact: true }).waitFor({ timeout: 45_000 });
    const code = await sameCode([alice, bob]);
    expect(code).toMatch(/^\d{5}( \d{5}){5}$/);
    for (const page of [alice, bob]) {
      const got = await untilReceiving(page, (r) => r.videos >= 1 && r.audios >= 1);
      expect(got.videos).toBeGreaterThanOrEqual(1);
      expect(got.audios).toBeGreaterThanOrEqual(1);
    }
  });
});
