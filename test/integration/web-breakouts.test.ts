import { jest } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { aliceMeeting, joinAs, showNamesInDemo } from '../support/web-meeting.js';
import { receiving, untilReceiving } from '../support/webrtc-stats.js';

/**
 * Breakout rooms in the browser: the host plans two rooms in the panel (one
 * person placed by drag and drop, the others with the keyboard-operable
 * select), opens them; each participant's page takes them to their room by
 * itself and decodes only the peers there; after a broadcast, a countdown and
 * the close, everyone is back in the main room and decodes everyone again.
 * Then the host lets participants choose: each picks a room on their own page
 * and decodes only whoever picked the same one.
 */
jest.setTimeout(240_000);

let browser: Browser;
let meetingId: string;

beforeAll(async () => {
  await showNamesInDemo();
  meetingId = await aliceMeeting('Workshop');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const person = (user: string) => joinAs(browser, user, meetingId);

describe('breakout rooms in the browser', () => {
  it('sends people to their rooms and back without a rejoin by hand', async () => {
    const alice = await person('alice');
    const [bob, carol, dora] = [await person('bob'), await person('carol'), await person('dora')];
    for (const page of [alice, bob, carol, dora]) await untilReceiving(page, (r) => r.videos >= 3);

    // Planning: Bob dragged into room 1, Carol and Dora placed with the select (keyboard-operable).
    await alice.getByRole('tab', { name: 'Breakout rooms' }).click();
    const panel = alice.getByRole('region', { name: 'Breakout rooms' });
    await panel.getByLabel('Name of room 1').fill('Red');
    await panel.getByLabel('Name of room 2').fill('Blue');
    // Dragged by the name (the select beside it is the other way to place someone).
    const bobChip = panel.locator('.person > span', { hasText: /bob/i }).first();
    await bobChip.dragTo(panel.locator('.breakout-room', { has: alice.getByLabel('Name of room 1') }));
    await panel.getByLabel(/^Room for carol/i).selectOption({ label: 'Red' });
    await panel.getByLabel(/^Room for dora/i).focus();
    await panel.getByLabel(/^Room for dora/i).selectOption({ label: 'Blue' });
    expect(await panel.getByLabel(/^Room for bob/i).inputValue()).toBe('0');
    await alice.screenshot({ path: screenshotPath('breakout-planning'), fullPage: true });
    await panel.getByRole('button', { name: 'Open rooms' }).click();
    await panel.getByText('Breakout rooms are open.').first().waitFor();

    // Each page moves by itself; each decodes only who shares its room.
    await bob.getByText('You are in breakout room “Red”.').waitFor({ timeout: 30_000 });
    await carol.getByText('You are in breakout room “Red”.').waitFor({ timeout: 30_000 });
    await dora.getByText('You are in breakout room “Blue”.').waitFor({ timeout: 30_000 });
    expect((await untilReceiving(bob, (r) => r.videos === 1)).videos).toBe(1);
    expect((await untilReceiving(carol, (r) => r.videos === 1)).videos).toBe(1);
    expect((await receiving(dora)).videos).toBe(0);
    expect((await receiving(alice)).videos).toBe(0);

    // A message with a countdown, then the close after a countdown.
    await panel.getByLabel('Message').fill('Two minutes left');
    await panel.getByLabel('Countdown (seconds, optional)').fill('120');
    await panel.getByRole('button', { name: 'Send' }).click();
    await bob.getByText('Two minutes left').waitFor({ timeout: 15_000 });
    await panel.getByLabel('Countdown before closing (seconds)').fill('5');
    await panel.getByRole('button', { name: 'Close rooms' }).click();
    await dora.getByRole('timer', { name: 'Return to the main room' }).waitFor({ timeout: 15_000 });

    // Back in the main room: everyone decodes everyone again.
    for (const page of [bob, carol, dora])
      await page.getByText('You are in breakout room').waitFor({ state: 'detached', timeout: 40_000 });
    for (const page of [alice, bob, carol, dora]) {
      expect((await untilReceiving(page, (r) => r.videos >= 3)).videos).toBeGreaterThanOrEqual(3);
    }

    // Participants' choice: the host splits two ways and opens; each participant picks a room on their own page.
    await panel.getByLabel('Number of rooms').fill('2');
    await panel.getByLabel('How').selectOption({ label: 'Participants choose' });
    await panel.getByRole('button', { name: 'Split', exact: true }).click();
    await panel.getByRole('button', { name: 'Open rooms' }).click();
    const choose = async (page: typeof bob, room: string) => {
      const choices = page.getByRole('group', { name: 'Choose a breakout room' });
      await choices.getByRole('button', { name: `Go to “${room}”` }).click({ timeout: 30_000 });
      await page.getByText(`You are in breakout room “${room}”.`).waitFor({ timeout: 30_000 });
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
  });
});
