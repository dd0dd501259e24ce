import type { BrowserContext, Page } from 'playwright-core';

/**
 * What a page really receives, from WebRTC's own statistics: every
 * RTCPeerConnection the page opens is remembered (an init script, test-only),
 * and the inbound RTP streams of the connections still open are read. The
 * browser-side code is plain JavaScript text: this project type-checks its
 * tests without the DOM library.
 */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const Native = window.RTCPeerConnection;
    const all = [];
    window.__peerConnections = all;
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        all.push(this);
      }
    };
  })()`);
}

export interface InboundSample {
  readonly video: Record<string, number>;
  readonly audio: Record<string, number>;
}

/** framesDecoded per remote video track and totalAudioEnergy per remote audio track, over the open connections. */
export function inbound(page: Page): Promise<InboundSample> {
  return page.evaluate(`(async () => {
    const video = {};
    const audio = {};
    for (const [i, pc] of (window.__peerConnections ?? []).entries()) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        const key = i + ':' + (s.trackIdentifier ?? s.id);
        if (s.kind === 'video') video[key] = s.framesDecoded ?? 0;
        if (s.kind === 'audio') audio[key] = s.totalAudioEnergy ?? 0;
      });
    }
    return { video, audio };
  })()`);
}

/** How many remote video tracks decoded frames, and how many remote audio tracks carried sound, during `ms`. */
export async function receiving(page: Page, ms = 3000): Promise<{ videos: number; audios: number }> {
  const before = await inbound(page);
  await page.waitForTimeout(ms);
  const after = await inbound(page);
  const grew = (a: Record<string, number>, b: Record<string, number>, min: number) =>
    Object.entries(b).filter(([k, v]) => v - (a[k] ?? 0) > min).length;
  return { videos: grew(before.video, after.video, 2), audios: grew(before.audio, after.audio, 1e-6) };
}

/** Waits until `check` holds for what the page receives, sampling every few seconds. */
export async function untilReceiving(
  page: Page,
  check: (r: { videos: number; audios: number }) => boolean,
  timeoutMs = 45_000,
): Promise<{ videos: number; audios: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = await receiving(page);
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`still receiving ${JSON.stringify(last)}`);
    last = await receiving(page);
  }
  return last;
}
