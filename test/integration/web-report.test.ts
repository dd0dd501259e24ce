import { jest } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext } from '../support/browser.js';
import { aliceMeeting, asUser, joinAs, showNamesInDemo } from '../support/web-meeting.js';
import { untilReceiving } from '../support/webrtc-stats.js';

/**
 * An abuse report from the meeting page: Bob's browser keeps the last 30
 * seconds of what it receives in memory; he reports Alice with consent to
 * attach them; the report, with a clip a browser can play, reaches the tenant
 * admin's list through the API. Without consent nothing is attached.
 */
jest.setTimeout(180_000);

let browser: Browser;
let meetingId: string;

const person = (user: string) => joinAs(browser, user, meetingId);

interface Summary {
  id: string;
  meetingId: string;
  reason: string;
  participantId?: string;
  clip?: { contentType: string; bytes: number };
}

async function reportsOfMeeting(): Promise<Summary[]> {
  const res = await asUser('dora', ['admin'], '/v1/reports?limit=100');
  expect(res.status).toBe(200);
  return (res.body as { items: Summary[] }).items.filter((r) => r.meetingId === meetingId);
}

beforeAll(async () => {
  await showNamesInDemo();
  meetingId = await aliceMeeting('Reportable');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('abuse reports from the meeting page', () => {
  it('sends the last seconds only with consent, and the admin can play them', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    await untilReceiving(bob, (r) => r.videos >= 1 && r.audios >= 1);
    await untilReceiving(alice, (r) => r.videos >= 1);
    await bob.getByRole('tab', { name: 'Report' }).click();
    // Let the rolling buffer hold several seconds.
    await bob.waitForTimeout(8000);

    // Without consent: a report, no clip.
    await bob.getByRole('button', { name: 'Report abuse' }).click();
    let dialog = bob.getByRole('dialog', { name: 'Report abuse' });
    await dialog
      .getByLabel('Whom are you reporting?')
      .selectOption({ label: (await dialog.locator('option', { hasText: /alice/i }).textContent())! });
    await dialog.getByLabel('Reason').selectOption('spam');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByText('Thank you.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // With consent: the clip goes along.
    await bob.getByRole('button', { name: 'Report abuse' }).click();
    dialog = bob.getByRole('dialog', { name: 'Report abuse' });
    await dialog
      .getByLabel('Whom are you reporting?')
      .selectOption({ label: (await dialog.locator('option', { hasText: /alice/i }).textContent())! });
    await dialog.getByLabel('Reason').selectOption('harassment');
    await dialog.getByLabel('What happened (optional)').fill('Shouted insults at the class');
    await dialog.getByLabel('Attach the last 30 seconds of what I received').check();
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByText('Thank you.', { exact: false }).waitFor({ timeout: 20_000 });

    const reports = await reportsOfMeeting();
    const spam = reports.find((r) => r.reason === 'spam');
    const harassment = reports.find((r) => r.reason === 'harassment');
    expect(spam?.clip).toBeUndefined();
    expect(harassment?.clip?.contentType).toBe('video/webm');
    expect(harassment!.clip!.bytes).toBeGreaterThan(5000);
    expect(harassment!.clip!.bytes).toBeLessThanOrEqual(192 * 1024);
    expect(harassment!.participantId).toMatch(/^p_/);
    const detail = await asUser('dora', ['admin'], `/v1/reports/${harassment!.id}`);
    expect((detail.body as { details?: string }).details).toBe('Shouted insults at the class');

    // The admin's clip plays in a browser: it has a picture and its time runs.
    const clip = await asUser('dora', ['admin'], `/v1/reports/${harassment!.id}/clip`);
    expect(clip.status).toBe(200);
    const { contentType, data } = clip.body as { contentType: string; data: string };
    const player = await (await newContext(browser)).newPage();
    await player.goto('about:blank');
    const played = (await player.evaluate(`(async () => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(data)}), (c) => c.charCodeAt(0));
      const video = document.createElement('video');
      video.muted = true;
      video.src = URL.createObjectURL(new Blob([bytes], { type: ${JSON.stringify(contentType)} }));
      document.body.append(video);
      await new Promise((done, fail) => {
        video.onloadeddata = done;
        video.onerror = () => fail(new Error('cannot play: ' + (video.error?.message ?? '')));
      });
      await video.play();
      const start = video.currentTime;
      await new Promise((done) => setTimeout(done, 1500));
      return { width: video.videoWidth, height: video.videoHeight, advanced: video.currentTime - start };
    })()`)) as { width: number; height: number; advanced: number };
    expect(played.width).toBe(320);
    expect(played.height).toBe(180);
    expect(played.advanced).toBeGreaterThan(0.5);
  });
});
