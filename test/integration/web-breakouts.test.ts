import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { aliceMeeting, joinAs, showNamesInDemo } from '../support/web-meeting.js';
import { receiving, untilReceiving } from '../support/webrtc-stats.js';

/**
 * Breakout rooms in the browser: the host plans two rooms in the panel (one
 * person placed by drag and drop, the others with the keyboard-operable
 * select), opens them; each participant's page takes them to their room by
 * itself and decodes only the peers there; after a broadcast, a countdown and
 * the close, everyone is back in the main room and decodes everyone again.
 * The same in an end-to-end meeting, where each breakout has a key of its own
 * that the host's page seals to its members' devices: the members of a room
 * show one security code, another than the other room's.
 * Then a host lets participants choose: each picks a room on their own page
 * and decodes only whoever picked the same one.
 */
jest.setTimeout(300_000);

let browser: Browser;

beforeAll(async () => {
  await showNamesInDemo();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const securityCode = (page: Page) => page.getByLabel('Security code', { exact: true });
/** The code the page shows on its Encryption tab (then back on the tab it was on). */
async function codeOf(page: Page): Promise<string> {
  await page.getByRole('tab', { name: 'Encryption' }).click();
  await securityCode(page).waitFor({ timeout: 45_000 });
  return (await securityCode(page).textContent())!.trim();
}

/**
 * Waits until the pages show security codes (six groups of five digits) equal within each group of pages and
 * different between groups; fails after a minute.
 */
async function untilCodesByRoom(groups: Page[][]): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const codes = await Promise.all(groups.map((pages) => Promise.all(pages.map(codeOf))));
    const firsts = codes.map((c) => c[0]!);
    const sameWithin = codes.every((c) => c.every((x) => x === c[0] && /^\d{5}( \d{5}){5}$/.test(x)));
    if (sameWithin && new Set(firsts).size === firsts.length) return firsts;
    if (Date.now() > deadline) throw new Error(`codes: ${JSON.stringify(codes)}`);
    await groups[0]![0]!.waitForTimeout(1000);
  }
}

/** Alice (the host) and Bob, Carol and Dora in the meeting, each decoding the other three; Alice's breakouts panel open. */
async function fourInTheRoom(meetingId: string) {
  const person = (user: string) => joinAs(browser, user, meetingId);
  const alice = await person('alice');
  const [bob, carol, dora] = [await person('bob'), await person('carol'), await person('dora')];
  for (const page of [alice, bob, carol, dora]) await untilReceiving(page, (r) => r.videos >= 3);
  await alice.getByRole('tab', { name: 'Breakout rooms' }).click();
  return { alice, bob, carol, dora, panel: alice.getByRole('region', { name: 'Breakout rooms' }) };
}

describe.each(['standard', 'e2ee'] as const)('breakout rooms in the browser (%s meeting)', (encryption) => {
  it('sends people to their rooms and back without a rejoin by hand', async () => {
    const { alice, bob, carol, dora, panel } = await fourInTheRoom(await aliceMeeting('Workshop', { encryption }));

    // Planning: Bob dragged into room 1, Carol and Dora placed with the select (keyboard-operable).
    await panel.getByLabel('Name of room 1').fill('Red');
    await panel.getByLabel('Name of room 2').fill('Blue');
    // Dragged by the name (the select beside it is the other way to place someone).
    const bobChip = panel.locator('.person > span', { hasText: /bob/i }).first();
    await bobChip.dragTo(panel.locator('.breakout-room', { has: alice.getByLabel('Name of room 1') }));
    await panel.getByLabel(/^Room for carol/i).selectOption({ label: 'Red' });
    await panel.getByLabel(/^Room for dora/i).focus();
    await panel.getByLabel(/^Room for dora/i).selectOption({ label: 'Blue' });
    expect(await panel.getByLabel(/^Room for bob/i).inputValue()).toBe('0');
    if (encryption === 'standard') await alice.screenshot({ path: screenshotPath('breakout-planning'), fullPage: true });
    await panel.getByRole('button', { name: 'Open rooms' }).click();
    await panel.getByText('Breakout rooms are open.').first().waitFor();

    // Each page moves by itself; each decodes only who shares its room.
    await bob.getByText('You are in breakout room “Red”.').waitFor({ timeout: 60_000 });
    await carol.getByText('You are in breakout room “Red”.').waitFor({ timeout: 60_000 });
    await dora.getByText('You are in breakout room “Blue”.').waitFor({ timeout: 60_000 });
    expect((await untilReceiving(bob, (r) => r.videos === 1 && r.audios === 1)).videos).toBe(1);
    expect((await untilReceiving(carol, (r) => r.videos === 1 && r.audios === 1)).videos).toBe(1);
    expect((await receiving(dora)).videos).toBe(0);
    expect((await receiving(alice)).videos).toBe(0);
    // End to end, Red's key is Red's own: Bob and Carol show one code, Dora in Blue another, the host in the main room
    // a third.
    if (encryption === 'e2ee') await untilCodesByRoom([[bob, carol], [dora], [alice]]);

    // A message with a countdown (sealed by the host's page for each breakout in an end-to-end meeting), then the
    // close after a countdown.
    await alice.getByRole('tab', { name: 'Breakout rooms' }).click();
    await panel.getByLabel('Message').fill('Two minutes left');
    await panel.getByLabel('Countdown (seconds, optional)').fill('120');
    await panel.getByRole('button', { name: 'Send' }).click();
    await bob.getByText('Two minutes left').waitFor({ timeout: 60_000 });
    await dora.getByText('Two minutes left').waitFor({ timeout: 60_000 });
    await panel.getByLabel('Countdown before closing (seconds)').fill('5');
    await panel.getByRole('button', { name: 'Close rooms' }).click();
    await dora.getByRole('timer', { name: 'Return to the main room' }).waitFor({ timeout: 15_000 });

    // Back in the main room: everyone decodes everyone again (and, end to end, shows the main room's one code).
    for (const page of [bob, carol, dora])
      await page.getByText('You are in breakout room').waitFor({ state: 'detached', timeout: 40_000 });
    for (const page of [alice, bob, carol, dora]) {
      expect((await untilReceiving(page, (r) => r.videos >= 3)).videos).toBeGreaterThanOrEqual(3);
    }
    if (encryption === 'e2ee') await untilCodesByRoom([[alice, bob, carol, dora]]);
    await Promise.all([alice, bob, carol, dora].map((page) => page.context().close()));
  });
});

describe("breakouts by participants' choice in the browser", () => {
  it('lets each participant pick a room on their own page, and change their mind', async () => {
    const { alice, bob, carol, dora, panel } = await fourInTheRoom(await aliceMeeting('Choose your table'));
    // Participants' choice: the host splits two ways and opens; each participant picks a room on their own page.
    await panel.getByLabel('Number of rooms').fill('2');
    await panel.getByLabel('How').selectOption({ label: 'Participants choose' });
    await panel.getByRole('button', { name: 'Split', exact: true }).click();
    await panel.getByRole('button', { name: 'Open rooms' }).click();
    const choose = async (page: typeof bob, room: string) => {
      const choices = page.getByRole('group', { name: 'Choose a breakout room' });
      await choices.getByRole('button', { name: `Go to “${room}”` }).click({ timeout: 60_000 });
      await page.getByText(`You are in breakout room “${room}”.`).waitFor({ timeout: 60_000 });
    };
    await choose(bob, 'Room 1');
    await choose(dora, 'Room 1');
    await choose(carol, 'Room 2');
    await bob.screenshot({ path: screenshotPath('breakout-choice'), fullPage: true });
    expect((await untilReceiving(bob, (r) => r.videos === 1)).videos).toBe(1);
    expect((await untilReceiving(dora, (r) => r.videos === 1)).videos).toBe(1);
    expect((await untilReceiving(carol, (r) => r.videos === 0)).videos).toBe(0);
    // Changing one's mind: Dora goes over to Carol.
    await choose(dora, 'Room 2');
    expect((await untilReceiving(carol, (r) => r.videos === 1)).videos).toBe(1);
    expect((await untilReceiving(bob, (r) => r.videos === 0)).videos).toBe(0);
    await Promise.all([alice, bob, carol, dora].map((page) => page.context().close()));
  });
});
