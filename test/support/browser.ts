import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../../scripts/local-stack/layout.js';
import { stack } from './stack.js';

/**
 * Debian's Chromium (installed by scripts/install-tools.sh), driven by
 * playwright-core: never a downloaded browser. Camera and microphone are
 * Chromium's fake devices (a moving test pattern and a periodic tone), so
 * what a test asserts (frames decoded, audio energy) is real media.
 */
export const CHROMIUM = process.env.MEETPLANE_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      // With MEETPLANE_PORT_OFFSET=2000 the web client is on 6000, a port Chromium refuses unless told.
      '--explicitly-allowed-ports=6000',
      // Background tabs of other contexts must keep decoding: the tests watch several participants at once.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

/** A fresh browser profile (cookies, storage) with camera and microphone allowed for the web client. */
export async function newContext(browser: Browser, options: { locale?: string } = {}): Promise<BrowserContext> {
  const web = stack().web.url;
  const context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    timezoneId: 'Europe/Berlin',
    viewport: { width: 1280, height: 800 },
    permissions: ['camera', 'microphone'],
  });
  await context.grantPermissions(['camera', 'microphone'], { origin: web });
  return context;
}

/** The web client's address for a path (`/demo`, `/demo/m/mt_…`). */
export const webUrl = (path = '/') => new URL(path, stack().web.url).toString();

/** Where the tests write the screenshots the README shows. */
export function screenshotPath(name: string): string {
  const dir = resolve(ROOT, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  return resolve(dir, `${name}.png`);
}

/**
 * Signs in through the real OpenID Connect flow: the app sends the browser
 * to the dev identity provider, the user types their name and password there,
 * and the provider sends the browser back with a code the app exchanges
 * (authorization code with PKCE). Returns on the page the app then shows.
 */
export async function signIn(page: Page, user: string, path = '/demo'): Promise<void> {
  await page.goto(webUrl(path));
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const web = new URL(stack().web.url).origin;
  await page.waitForURL((url) => url.origin === web && url.pathname !== '/callback', { timeout: 20_000 });
}
