/**
 * npm run bench:web — the web client as people feel it, in Debian's Chromium
 * on the local stack:
 *
 * - the first load: JavaScript (gzipped) the agenda needs before a meeting is
 *   opened, measured from what the browser actually fetched (target ≤ 350 KB);
 * - from the click on Join to the first remote video frame decoded, p50 over
 *   BENCH_WEB_JOINS (default 10) joins, in a standard meeting (target ≤ 1.5 s)
 *   and an end-to-end one (target ≤ 2 s).
 *
 * Writes bench/results/web.json and web.svg.
 */
import type { Page } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { launchBrowser, newContext, signIn } from '../../test/support/browser.js';
import { api } from '../../test/support/stack.js';
import { drawCharts } from '../charts.js';
import { ensureStack } from '../stack.js';

const JOINS = Number(process.env.BENCH_WEB_JOINS ?? 10);
const FIRST_LOAD_TARGET_KB = 350;
const TARGET_MS = { standard: 1500, e2ee: 2000 } as const;
const say = (line: string) => process.stdout.write(`${line}\n`);
const results = (name: string) => new URL(`../results/${name}`, import.meta.url);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
};

async function createMeeting(encryption: 'standard' | 'e2ee'): Promise<string> {
  const token = await devToken({ user: 'alice', roles: ['host'] });
  const res = await api('fra', '/v1/meetings', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `Benchmark (${encryption})`,
      startsAt: new Date(Date.now() + 60_000).toISOString(),
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      encryption,
      waitingRoom: false,
      invitees: ['bob@demo.example'],
    }),
  });
  if (res.status !== 201) throw new Error(`meeting not created: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

const remoteFramesDecoded = async (page: Page): Promise<number> => {
  const stats = (await page.evaluate('window.meetplane ? window.meetplane.remoteMediaStats() : []')) as {
    kind: string;
    framesDecoded?: number;
  }[];
  return stats.filter((s) => s.kind === 'video').reduce((sum, s) => sum + (s.framesDecoded ?? 0), 0);
};

async function joinRoom(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByRole('toolbar', { name: 'Meeting controls' }).waitFor({ timeout: 30_000 });
}

/** Milliseconds from the click on Join to the first remote video frame decoded, JOINS times. */
async function joinToFirstFrame(encryption: 'standard' | 'e2ee'): Promise<number[]> {
  const meetingId = await createMeeting(encryption);
  const browser = await launchBrowser();
  try {
    const host = await (await newContext(browser)).newPage();
    await signIn(host, 'alice', `/demo/m/${meetingId}`);
    await joinRoom(host);
    const guest = await (await newContext(browser)).newPage();
    await signIn(guest, 'bob', `/demo/m/${meetingId}`);
    const times: number[] = [];
    for (let i = 0; i < JOINS; i++) {
      await guest.getByRole('button', { name: 'Join', exact: true }).waitFor({ timeout: 30_000 });
      const started = performance.now();
      await guest.getByRole('button', { name: 'Join', exact: true }).click();
      const deadline = started + 20_000;
      while ((await remoteFramesDecoded(guest).catch(() => 0)) === 0) {
        if (performance.now() > deadline) throw new Error(`no remote frame within 20 s (${encryption}, join ${i + 1})`);
        await new Promise((done) => setTimeout(done, 10));
      }
      times.push(Math.round(performance.now() - started));
      say(`  ${encryption} join ${i + 1}/${JOINS}: ${times.at(-1)} ms`);
      // Back to the pre-join screen for the next join: the same signed-in tab, the meeting's page again.
      await guest.goto(guest.url());
    }
    return times;
  } finally {
    await browser.close();
  }
}

/** The JavaScript the browser fetched to show the agenda, gzipped as a CDN would serve it. */
async function firstLoadJs(): Promise<{ files: { url: string; gzipBytes: number }[]; totalGzipKb: number }> {
  const browser = await launchBrowser();
  try {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, 'alice');
    await page.getByRole('heading', { name: 'Your meetings' }).waitFor();
    // With routing on, the browser bypasses its HTTP cache: the reload fetches what a first visit fetches.
    await page.route('**/*', (route) => route.continue());
    const scripts: Promise<{ url: string; gzipBytes: number }>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script') return;
      scripts.push(response.body().then((body) => ({ url: new URL(response.url()).pathname, gzipBytes: gzipSync(body).length })));
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Your meetings' }).waitFor();
    await page.waitForLoadState('networkidle');
    const files = await Promise.all(scripts);
    return { files, totalGzipKb: Math.round((files.reduce((s, f) => s + f.gzipBytes, 0) / 1024) * 10) / 10 };
  } finally {
    await browser.close();
  }
}

const stop = await ensureStack();
try {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, load ${loadavg()[0]!.toFixed(1)}`;
  say(`bench:web on ${machine}`);
  const firstLoad = await firstLoadJs();
  say(
    `first load (agenda): ${firstLoad.totalGzipKb} KB of JavaScript gzipped in ${firstLoad.files.length} files (target ≤ ${FIRST_LOAD_TARGET_KB} KB)`,
  );
  const joins: Record<string, { p50Ms?: number; timesMs: number[]; targetMs: number; error?: string }> = {};
  for (const encryption of ['standard', 'e2ee'] as const) {
    try {
      const times = await joinToFirstFrame(encryption);
      joins[encryption] = { p50Ms: median(times), timesMs: times, targetMs: TARGET_MS[encryption] };
      say(
        `join → first remote frame, ${encryption}: p50 ${median(times)} ms over ${times.length} (target ≤ ${TARGET_MS[encryption]} ms)`,
      );
    } catch (error) {
      joins[encryption] = { timesMs: [], targetMs: TARGET_MS[encryption], error: (error as Error).message };
      say(`join → first remote frame, ${encryption}: not measured: ${(error as Error).message}`);
    }
  }
  const figures = {
    measuredAt: new Date().toISOString(),
    machine,
    firstLoad: { ...firstLoad, targetKb: FIRST_LOAD_TARGET_KB },
    joins,
  };
  writeFileSync(results('web.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await drawCharts();
  say('wrote bench/results/web.json and web.svg');
} finally {
  await stop();
}
