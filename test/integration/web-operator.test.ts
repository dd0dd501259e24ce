import type { Browser, BrowserContext, Page } from 'playwright-core';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { seriousViolations } from '../support/axe.js';
import { launchBrowser, newContext, screenshotPath, signIn, webUrl } from '../support/browser.js';
import { TestIdentityProvider } from '../support/idp.js';
import { api, stack } from '../support/stack.js';
import { startTenantIdentityProvider, type TenantIdentityProvider } from '../support/tenant-idp.js';
import { createTenant, operatorHeaders, tenantBody, uniqueSlug } from '../support/tenants.js';

/**
 * The operators' view in Debian's Chromium: the operator signs in with the
 * local stack's operator token (kept in the tab's session storage), onboards
 * a tenant homed in ams, suspends and reinstates one with a reason and a legal
 * basis, offboards one after the crypto-shredding confirmation, drains and
 * undrains a media node and publishes an advisory with its delivery report;
 * each step is read back through the API.
 */
/** Each step drives a real browser against the whole stack. */
const STEP = 120_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let idp: TenantIdentityProvider;

const operatorGet = (site: 'fra' | 'ams', path: string) => api(site, path, { headers: operatorHeaders() });

beforeAll(async () => {
  // The new tenant's own OpenID provider: its admin signs in there, through the web app.
  idp = await startTenantIdentityProvider({
    webOrigin: stack().web.url,
    users: { ada: ['admin'] },
    emailDomain: 'ams-college.example',
  });
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
}, STEP);

afterAll(async () => {
  await browser?.close();
  await idp?.stop();
});

describe('the operators view', () => {
  it(
    'asks for the operator token first and keeps it in the tab only',
    async () => {
      await page.goto(webUrl('/operator'));
      await page.getByRole('heading', { name: 'Operator sign-in' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel('Operator token').fill('too-short');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(await page.getByLabel('Operator token').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Operator token').fill(stack().operatorToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Onboard a tenant' }).waitFor();
      expect(await page.evaluate("sessionStorage.getItem('meetplane.operatorToken')")).toBe(stack().operatorToken);
      expect(await page.evaluate("localStorage.getItem('meetplane.operatorToken')")).toBeNull();
    },
    STEP,
  );

  it(
    "shows the API's problem beside the field it names, validated with the API's own schema first",
    async () => {
      await page.getByLabel('Short name').fill('No Capitals');
      await page.getByRole('button', { name: 'Onboard', exact: true }).click();
      const slug = page.getByLabel('Short name');
      expect(await slug.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await slug.getAttribute('aria-describedby')) ?? '';
      expect(describedBy).toContain('error');
      expect(await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).textContent()).toMatch(/lower-case/);
    },
    STEP,
  );

  it(
    'onboards a tenant homed in ams, found afterwards through the directory at both sites',
    async () => {
      const slug = uniqueSlug('ams');
      await page.getByLabel('Short name').fill(slug);
      await page.getByLabel('Home site', { exact: true }).selectOption('ams');
      await page.getByRole('checkbox', { name: /^fra/ }).check();
      await page.getByLabel('Plan', { exact: true }).selectOption('education');
      await page.getByLabel('Identity provider: issuer').fill(idp.issuer);
      await page.getByLabel('Identity provider: key set (JWKS) address').fill(idp.jwksUri);
      await page.getByLabel('Identity provider: audience of the tokens').fill(idp.audience);
      await page.getByLabel("Identity provider: the web app's client id").fill(idp.clientId);
      await page.getByLabel('Security contact (e-mail)').fill('security@ams-college.example');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('admin-operator'), fullPage: true });
      await page.getByRole('button', { name: 'Onboard', exact: true }).click();
      await page.getByTestId('onboarded').waitFor();

      for (const site of ['fra', 'ams'] as const) {
        const entry = await api(site, `/v1/directory/${slug}`);
        expect(entry.status).toBe(200);
        expect(entry.body).toMatchObject({ slug, homeSite: 'ams', apiUrl: stack().sites.ams.apiUrl });
      }
      const tenantId = (await api('ams', `/v1/directory/${slug}`)).body as { tenantId: string };
      const tenant = await operatorGet('ams', `/v1/tenants/${tenantId.tenantId}`);
      expect(tenant.body).toMatchObject({ slug, homeSite: 'ams', allowedSites: ['fra'], tier: 'education', status: 'active' });
      // Its admin signs in through the web app, which finds the ams site through the directory, and reads where the data is.
      const adminContext = await newContext(browser);
      try {
        const adminPage = await adminContext.newPage();
        const apiOrigins = new Set<string>();
        adminPage.on('request', (r) => {
          if (r.url().includes('/v1/settings/')) apiOrigins.add(new URL(r.url()).origin);
        });
        await signIn(adminPage, 'ada', `/${slug}/admin`);
        await adminPage.getByRole('heading', { name: 'Your organisation' }).waitFor();
        const home = adminPage.locator('dt', { hasText: 'Home site' }).locator('xpath=following-sibling::dd[1]');
        expect(await home.textContent()).toBe(`ams · Amsterdam · ${stack().sites.ams.region}`);
        expect([...apiOrigins]).toEqual([stack().sites.ams.apiUrl]);
        expect(await seriousViolations(adminPage)).toEqual([]);
      } finally {
        await adminContext.close();
      }
    },
    STEP,
  );

  it(
    'suspends and reinstates a tenant with a reason and a legal basis, written to its audit log',
    async () => {
      const other = await TestIdentityProvider.start();
      const created = await createTenant('fra', tenantBody(other, 'fra'));
      const { id, slug } = created.body as { id: string; slug: string };
      try {
        await page.getByLabel('Tenant', { exact: true }).fill(slug);
        await page.getByRole('button', { name: 'Find' }).click();
        await page.getByTestId('tenant-status').waitFor();
        await page.getByRole('button', { name: 'Suspend' }).click();
        expect(await page.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
        await page.getByLabel('Reason').fill('unpaid invoices for three months');
        await page.getByLabel('Legal basis').fill('contract §9.2');
        await page.getByRole('button', { name: 'Suspend' }).click();
        await page.getByText('The tenant is suspended.').waitFor();
        expect((await operatorGet('fra', `/v1/tenants/${id}`)).body).toMatchObject({
          status: 'suspended',
          suspension: { reason: 'unpaid invoices for three months', legalBasis: 'contract §9.2' },
        });
        await page.getByRole('button', { name: 'Reinstate' }).click();
        await page.getByText('The tenant is reinstated.').waitFor();
        expect((await operatorGet('fra', `/v1/tenants/${id}`)).body).toMatchObject({ status: 'active' });

        // Offboarding asks for the slug and says the key is shredded.
        await page.getByRole('button', { name: 'Offboard…' }).click();
        expect(await page.getByRole('alertdialog').textContent()).toContain('crypto-shredding');
        await page.getByLabel(`Type “${slug}” to confirm`).fill('someone-else');
        await page.getByRole('button', { name: 'Offboard now' }).click();
        expect(await page.getByLabel(`Type “${slug}” to confirm`).getAttribute('aria-invalid')).toBe('true');
        expect((await operatorGet('fra', `/v1/tenants/${id}`)).status).toBe(200);
        await page.getByLabel(`Type “${slug}” to confirm`).fill(slug);
        await page.getByRole('button', { name: 'Offboard now' }).click();
        await page.getByTestId('offboarded').waitFor();
        expect(await page.getByTestId('offboarded').textContent()).toContain('scheduled for deletion');
        expect((await api('fra', `/v1/directory/${slug}`)).status).toBe(404);
        expect((await operatorGet('fra', `/v1/tenants/${id}`)).status).toBe(404);
      } finally {
        await other.stop();
      }
    },
    STEP,
  );

  it(
    'drains and undrains a media cluster of the chosen site',
    async () => {
      type Nodes = { items: { id: string; site: string; status: string }[] };
      const node = ((await operatorGet('fra', '/v1/media/clusters')).body as Nodes).items.find((n) => n.site === 'fra')!.id;
      await page.getByLabel('Site', { exact: true }).selectOption('fra');
      const row = page.locator(`tr[data-cluster="${node}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: `Drain ${node}` }).click();
      await row.getByRole('button', { name: `Put ${node} back into service` }).waitFor();
      const nodes = (await operatorGet('fra', '/v1/media/clusters')).body as Nodes;
      expect(nodes.items.find((n) => n.id === node)?.status).toBe('draining');
      await row.getByRole('button', { name: `Put ${node} back into service` }).click();
      await row.getByRole('button', { name: `Drain ${node}` }).waitFor();
      const after = (await operatorGet('fra', '/v1/media/clusters')).body as Nodes;
      expect(after.items.find((n) => n.id === node)?.status).toBe('active');
    },
    STEP,
  );

  it(
    'publishes an advisory at the site and shows the delivery report per tenant',
    async () => {
      const title = `Test advisory ${Date.now().toString(36)}`;
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Severity').selectOption('high');
      await page.getByLabel('Summary').fill('Update your clients.');
      await page.getByLabel('CVE ids (optional)').fill('CVE-2026-12345');
      await page.getByRole('button', { name: 'Publish and deliver' }).click();
      const report = page.getByTestId('delivery-report');
      await report.waitFor();
      const demoId = stack().demoTenantId;
      expect(await report.locator('tr', { hasText: demoId }).count()).toBe(1);
      // Delivered to each active tenant homed at fra, and listed to its users.
      const bob = await devToken({ user: 'bob', roles: [] });
      const listed = await api('fra', '/v1/advisories', { headers: { authorization: `Bearer ${bob}` } });
      expect((listed.body as { items: { title: string }[] }).items.map((a) => a.title)).toContain(title);
      expect(await seriousViolations(page)).toEqual([]);
    },
    STEP,
  );
});
