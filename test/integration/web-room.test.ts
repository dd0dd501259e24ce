import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dispose, Room } from '@livekit/rtc-node';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { encryptionOptionsForKey, installEpochKey, keyProviderOfRoom } from '../../media/e2ee/index.js';
import { listenForTone, publishTone } from '../support/audio.js';
import { eventually } from '../support/eventually.js';
import { seriousViolations } from '../support/axe.js';
import { launchBrowser, newContext, screenshotPath, signIn, webUrl } from '../support/browser.js';
import { api, stack } from '../support/stack.js';

/**
 * The meeting room in Debian's Chromium, against the real local stack: a host
 * and two members sign in through the identity provider, pass the passcode and
 * the waiting room, and see and hear each other through LiveKit with frame
 * encryption (WebRTC's own receive statistics, from Chromium's fake camera
 * and microphone); the host removes one, admits a guest who came by an
 * invitation's guest link, they chat, and the host records the room locally.
 */
jest.setTimeout(150_000);

interface TrackStats {
  participant: string;
  kind: 'audio' | 'video';
  framesDecoded?: number;
  totalAudioEnergy?: number;
}

const PASSCODE = '482913';
const tag = randomUUID().slice(0, 8);
const guestAddress = `gus-${tag}@guest.example`;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: Page;
let bob: Page;
let carol: Page;
let guest: Page;
let meetingId: string;

async function as(user: string, roles: string[], path: string, init: RequestInit & { json?: unknown } = {}) {
  const token = await devToken({ user, roles });
  const { json, ...rest } = init;
  return api('fra', path, {
    ...rest,
    headers: { authorization: `Bearer ${token}`, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { body: JSON.stringify(json) }),
  });
}

async function page(): Promise<Page> {
  const context = await newContext(browser);
  contexts.push(context);
  const opened = await context.newPage();
  opened.on('dialog', (dialog) => void dialog.accept());
  return opened;
}

/** Receive statistics of every remote track, as the room's page reports them. */
const statsOf = (p: Page) => p.evaluate('window.meetplane ? window.meetplane.remoteMediaStats() : []') as Promise<TrackStats[]>;

/**
 * Waits until the page receives video frames that keep being decoded and
 * audio above silence from each of `count` other participants.
 */
async function expectSeesAndHears(p: Page, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const before = await statsOf(p);
    await p.waitForTimeout(1500);
    const after = await statsOf(p);
    const people = new Set(after.map((s) => s.participant));
    const ok =
      people.size === count &&
      [...people].every((who) => {
        const video = after.find((s) => s.participant === who && s.kind === 'video');
        const audio = after.find((s) => s.participant === who && s.kind === 'audio');
        const earlier = before.find((s) => s.participant === who && s.kind === 'video');
        return (
          video !== undefined &&
          earlier !== undefined &&
          (video.framesDecoded ?? 0) > (earlier.framesDecoded ?? 0) &&
          audio !== undefined &&
          (audio.totalAudioEnergy ?? 0) > 0.001
        );
      });
    if (ok) return;
    last = JSON.stringify(after);
    if (Date.now() > deadline) throw new Error(`did not see and hear ${count} participants; last stats ${last}`);
  }
}

/** The participant's own LiveKit identity, from their own tile. */
const identityOf = (p: Page) => p.locator('figure.tile', { hasText: 'You' }).first().getAttribute('data-identity');

/** On the pre-join page: the passcode, Join, and the waiting room. */
async function waitAfterPasscode(p: Page): Promise<void> {
  await p.getByLabel('Passcode').fill(PASSCODE);
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.getByRole('heading', { name: 'Waiting room' }).waitFor();
}

beforeAll(async () => {
  const guests = await as('dora', ['admin'], '/v1/settings/guests', { method: 'PUT', json: { enabled: true } });
  if (guests.status !== 200) throw new Error(`guests not turned on: ${JSON.stringify(guests.body)}`);
  const mail = await as('dora', ['admin'], '/v1/settings/mail', {
    method: 'PUT',
    json: { transport: 'ses', from: 'meetings@demo.example' },
  });
  if (mail.status !== 200) throw new Error(`mail not set up: ${JSON.stringify(mail.body)}`);
  const created = await as('alice', ['host'], '/v1/meetings', {
    method: 'POST',
    json: {
      title: `Design review ${tag}`,
      startsAt: new Date(Date.now() + 60_000).toISOString(),
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      waitingRoom: true,
      passcode: PASSCODE,
      invitees: ['bob@demo.example', 'carol@demo.example', 'erin@demo.example', guestAddress],
    },
  });
  if (created.status !== 201) throw new Error(`meeting not created: ${JSON.stringify(created.body)}`);
  meetingId = (created.body as { id: string }).id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await dispose();
});

describe('the meeting room in the browser', () => {
  it('lets members in past the passcode and the waiting room (or turns them away); host and members see and hear each other', async () => {
    alice = await page();
    await signIn(alice, 'alice', `/demo/m/${meetingId}`);
    await alice.getByRole('heading', { name: `Design review ${tag}` }).waitFor();
    await alice.locator('.preview video').waitFor();
    expect(await alice.getByLabel('Passcode').count()).toBe(0); // the host needs none
    const micLevel = () => alice.getByRole('meter', { name: 'Microphone level' }).getAttribute('value').then(Number);
    expect(await eventually(micLevel, (level) => level > 0)).toBeGreaterThan(0);
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.screenshot({ path: screenshotPath('prejoin') });
    await alice.getByRole('button', { name: 'Join', exact: true }).click();
    await alice.getByRole('toolbar', { name: 'Meeting controls' }).waitFor();

    bob = await page();
    await signIn(bob, 'bob', `/demo/m/${meetingId}`);
    await waitAfterPasscode(bob);
    await bob.screenshot({ path: screenshotPath('lobby') });

    // The host is told, visibly and through a live region, and admits from the waiting room beside the video.
    await alice.getByRole('status').filter({ hasText: '1 person is waiting to be let in.' }).waitFor({ timeout: 20_000 });
    await alice.screenshot({ path: screenshotPath('host-panel') });
    await alice.getByRole('button', { name: /^Admit / }).click();
    await alice.getByText('Nobody is waiting.').waitFor();

    // Carol is turned away first, and let in when she asks again.
    carol = await page();
    await signIn(carol, 'carol', `/demo/m/${meetingId}`);
    await waitAfterPasscode(carol);
    await alice.getByRole('button', { name: /^Deny / }).click();
    await carol.getByRole('alert').filter({ hasText: 'A host did not let you into this meeting.' }).waitFor({ timeout: 20_000 });
    await carol.reload();
    await waitAfterPasscode(carol);
    await alice.getByRole('button', { name: /^Admit / }).click();
    await alice.getByText('Nobody is waiting.').waitFor();

    await Promise.all([expectSeesAndHears(alice, 2), expectSeesAndHears(bob, 2), expectSeesAndHears(carol, 2)]);
    expect(await alice.getByRole('tab', { name: 'Participants' }).getAttribute('aria-selected')).toBe('true');
    expect(await alice.getByRole('heading', { name: 'In the meeting (3)' }).count()).toBe(1);
    expect(await seriousViolations(alice)).toEqual([]);
    expect(await seriousViolations(bob)).toEqual([]);
    await bob.screenshot({ path: screenshotPath('room') });
  });

  it("mutes a participant's microphone from the host's panel; they can unmute themselves", async () => {
    const bobId = await identityOf(bob);
    await alice
      .locator(`li[data-identity="${bobId}"]`)
      .getByRole('button', { name: /^Mute / })
      .click();
    await bob.getByRole('button', { name: 'Unmute microphone' }).waitFor({ timeout: 15_000 });
    await bob.getByRole('button', { name: 'Unmute microphone' }).click();
    await bob.getByRole('button', { name: 'Mute microphone' }).waitFor();
    expect(await bob.getByRole('button', { name: 'Unmute microphone' }).count()).toBe(0);
  });

  it('removes a participant: her page says so and her media stops; the others go on', async () => {
    const carolId = await identityOf(carol);
    expect(carolId).toMatch(/^p_/);
    // A probe on Carol's page plays the video tracks she receives, to count their frames after the removal.
    // (Page functions are strings: the tests are type-checked against Node's globals, not the DOM's.)
    await carol.evaluate(`{
      const probes = [...document.querySelectorAll('figure.tile video:not(.mirrored)')].map((v) => {
        const probe = document.createElement('video');
        probe.muted = true;
        probe.srcObject = new MediaStream(v.srcObject.getVideoTracks());
        void probe.play();
        return probe;
      });
      window.framesSeen = () => probes.reduce((sum, p) => sum + p.getVideoPlaybackQuality().totalVideoFrames, 0);
    }`);
    const framesSeen = () => carol.evaluate('window.framesSeen()') as Promise<number>;
    const first = await framesSeen();
    await carol.waitForTimeout(1000);
    expect(await framesSeen()).toBeGreaterThan(first);

    await alice
      .locator(`li[data-identity="${carolId}"]`)
      .getByRole('button', { name: /^Remove / })
      .click();
    await carol.getByRole('heading', { name: 'You were removed' }).waitFor({ timeout: 20_000 });
    await carol.waitForTimeout(500);
    const atRemoval = await framesSeen();
    await carol.waitForTimeout(2000);
    expect(await framesSeen()).toBe(atRemoval);
    expect(await carol.evaluate('window.meetplane === undefined')).toBe(true);

    await Promise.all([expectSeesAndHears(alice, 1), expectSeesAndHears(bob, 1)]);
  });

  it('locks the meeting from the host’s controls: nobody new gets in until it is unlocked', async () => {
    const erin = await devToken({ user: 'erin', roles: [] });
    const tryJoin = () =>
      api('fra', `/v1/meetings/${meetingId}/join`, {
        method: 'POST',
        headers: { authorization: `Bearer ${erin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ passcode: PASSCODE }),
      });
    await alice.getByRole('button', { name: 'Lock meeting' }).click();
    await alice.locator('.indicator', { hasText: 'Locked' }).waitFor();
    const refused = await tryJoin();
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('locked');
    await alice.getByRole('button', { name: 'Unlock meeting' }).click();
    await alice.locator('.indicator', { hasText: 'Locked' }).waitFor({ state: 'detached' });
    expect(await alice.getByRole('button', { name: 'Lock meeting' }).count()).toBe(1);
  });

  it('interoperates with an rtc-node client on the same keys, after a rekey: each hears the other', async () => {
    // Erin joins through the API; the host admits her by the API too.
    const erin = await devToken({ user: 'erin', roles: [] });
    const asErin = (path: string, init: RequestInit = {}) =>
      api('fra', path, { ...init, headers: { authorization: `Bearer ${erin}`, 'content-type': 'application/json' } });
    const waiting = await asErin(`/v1/meetings/${meetingId}/join`, {
      method: 'POST',
      body: JSON.stringify({ passcode: PASSCODE }),
    });
    expect(waiting.body).toMatchObject({ status: 'waiting' });
    const ticket = (waiting.body as { ticket: string }).ticket;
    expect((await as('alice', ['host'], `/v1/meetings/${meetingId}/lobby/${ticket}/admit`, { method: 'POST' })).status).toBe(204);
    const grant = (await asErin(`/v1/meetings/${meetingId}/lobby/${ticket}`)).body as {
      participantId: string;
      media: { url: string; token: string };
      encryption: { epoch: number; keyIndex: number; key: string };
    };
    // The removal began epoch 1: browsers send with slot 1, rtc-node 1.1 with the slot it connected with.
    expect(grant.encryption).toMatchObject({ epoch: 1, keyIndex: 1 });
    const key = Buffer.from(grant.encryption.key, 'base64');
    const node = new Room();
    await node.connect(grant.media.url, grant.media.token, {
      autoSubscribe: true,
      dynacast: false,
      encryption: encryptionOptionsForKey(key),
    });
    installEpochKey(keyProviderOfRoom(node), grant.encryption.epoch, key);
    const tone = await publishTone(node, 440);
    try {
      const aliceId = await identityOf(alice);
      const heard = await listenForTone(node, 1000, 4000, aliceId!);
      expect(heard.maxRms).toBeGreaterThan(300);
      for (const p of [alice, bob]) {
        const energy = () =>
          statsOf(p).then(
            (all) => all.find((s) => s.participant === grant.participantId && s.kind === 'audio')?.totalAudioEnergy ?? 0,
          );
        expect(await eventually(energy, (e) => e > 0.001, 20_000)).toBeGreaterThan(0.001);
      }
    } finally {
      await tone.stop();
      await node.disconnect();
    }
  });

  it('admits a guest from an invitation link: seen and heard, and chat reaches everyone', async () => {
    const sent = await as('alice', ['host'], `/v1/meetings/${meetingId}/invitations`, { method: 'POST' });
    expect(sent.status).toBe(200);
    const store = (await (await fetch(`${stack().sesEndpoint}/store`)).json()) as {
      emails: { destination: { to: string[] }; body: { text?: string } }[];
    };
    const mail = store.emails.find((m) => m.destination.to.includes(guestAddress));
    // The guest's link opens the web client's guest page, the code in the fragment.
    const link = /(\S+\/demo\/guest#[A-Za-z0-9_.-]+)/.exec(mail?.body.text ?? '')?.[1];
    expect(link?.startsWith(`${webUrl('/demo/guest')}#`)).toBe(true);

    guest = await page();
    await guest.goto(link!);
    await guest.getByLabel('Your name').fill('Gus Guest');
    await guest.getByRole('button', { name: 'Continue' }).click();
    await guest.getByRole('button', { name: 'Join', exact: true }).click();
    // A guest cannot read the meeting beforehand: the join answer asks for the passcode.
    await guest.getByLabel('Passcode').fill(PASSCODE);
    await guest.getByRole('button', { name: 'Join', exact: true }).click();
    await guest.getByRole('heading', { name: 'Waiting room' }).waitFor();

    // The organisation shows no names: the waiting guest is marked as a guest, not named.
    await alice
      .locator('.lobby li', { hasText: 'guest' })
      .getByRole('button', { name: /^Admit / })
      .click();
    await Promise.all([expectSeesAndHears(guest, 2), expectSeesAndHears(alice, 2), expectSeesAndHears(bob, 2)]);

    await guest.getByRole('tab', { name: 'Chat' }).click();
    await guest.getByRole('textbox', { name: 'Message' }).fill(`Hello from the guest ${tag}`);
    await guest.getByRole('button', { name: 'Send' }).click();
    for (const p of [alice, bob]) {
      await p.getByRole('tab', { name: 'Chat' }).click();
      await p.getByRole('log', { name: 'Chat messages' }).getByText(`Hello from the guest ${tag}`).waitFor({ timeout: 10_000 });
    }
    await bob.getByRole('textbox', { name: 'Message' }).fill('Welcome, Gus');
    await bob.getByRole('button', { name: 'Send' }).click();
    await guest.getByRole('log', { name: 'Chat messages' }).getByText('Welcome, Gus').waitFor({ timeout: 10_000 });
  });

  it('records the room on the host’s device: everyone sees the indicator, and the file is a playable WebM', async () => {
    await alice.getByRole('button', { name: 'Record on this device' }).click();
    for (const p of [alice, bob, guest]) await p.locator('.indicator.recording').waitFor({ timeout: 15_000 });
    // Someone who comes in while the recording runs is told too (an admitted member rejoins without the waiting room).
    await bob.getByRole('button', { name: 'Leave' }).click();
    await bob.getByRole('heading', { name: 'You left the meeting' }).waitFor();
    await bob.getByRole('button', { name: 'Join again' }).click();
    await bob.getByLabel('Passcode').fill(PASSCODE);
    await bob.getByRole('button', { name: 'Join', exact: true }).click();
    await bob.locator('.indicator.recording').waitFor({ timeout: 15_000 });
    await alice.waitForTimeout(4000);
    const [download] = await Promise.all([
      alice.waitForEvent('download'),
      alice.getByRole('button', { name: 'Stop recording and save' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.webm$/);
    const file = readFileSync(await download.path());
    expect(file.length).toBeGreaterThan(10_000);
    expect([...file.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]); // EBML
    await bob.locator('.indicator.recording').waitFor({ state: 'detached', timeout: 15_000 });

    const played = (await bob.evaluate(`(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const video = document.createElement('video');
      video.muted = true;
      video.src = URL.createObjectURL(new Blob([bytes], { type: 'video/webm' }));
      await new Promise((resolve, reject) => {
        video.onloadeddata = resolve;
        video.onerror = () => reject(new Error('not playable: ' + video.error?.message));
      });
      return { readyState: video.readyState, width: video.videoWidth, height: video.videoHeight };
    })(${JSON.stringify(file.toString('base64'))})`)) as { readyState: number; width: number; height: number };
    expect(played.readyState).toBeGreaterThanOrEqual(2);
    expect(played.width).toBeGreaterThan(0);
  });

  it('ends the meeting for everyone', async () => {
    await alice.getByRole('button', { name: 'End for all' }).click();
    for (const p of [alice, bob, guest]) {
      await p.getByRole('heading', { name: 'The meeting has ended' }).waitFor({ timeout: 20_000 });
      expect(await p.evaluate('window.meetplane === undefined')).toBe(true);
    }
  });
});
