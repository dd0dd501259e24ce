import { CreateKeyCommand, DecryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { directoryEntrySchema } from '../../lambdas/domain/directory.js';
import { DIRECTORY_TABLE_NAME, siteTableName } from '../../config/tables.js';
import { TestIdentityProvider } from '../support/idp.js';
import { scanRegion, sealedHeader, searchableText, writableSnapshot } from '../support/scan.js';
import { api, kmsOf, stack } from '../support/stack.js';
import { createTenant, operatorHeaders, tenantBody, uniqueSlug, type TenantResource } from '../support/tenants.js';
import { testTenant } from '../support/users.js';

let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await TestIdentityProvider.start();
});
afterAll(async () => {
  await idp.stop();
});

async function newIdp(): Promise<TestIdentityProvider> {
  const fresh = await TestIdentityProvider.start();
  extraIdps.push(fresh);
  return fresh;
}
const extraIdps: TestIdentityProvider[] = [];
afterAll(async () => {
  await Promise.all(extraIdps.map((p) => p.stop()));
});

const ALLOWED_DIRECTORY_ATTRIBUTES = new Set(['pk', ...Object.keys(directoryEntrySchema.shape)]);

describe('a tenant homed in ams', () => {
  let tenant: TenantResource;
  let body: ReturnType<typeof tenantBody>;
  let fraBefore: string;

  beforeAll(async () => {
    fraBefore = searchableText(await scanRegion('fra'));
    body = tenantBody(idp, 'ams', { allowedSites: ['fra'] });
    const res = await createTenant('ams', body);
    if (res.status !== 201) throw new Error(`tenant not created: ${JSON.stringify(res.body)}`);
    tenant = res.body as TenantResource;
  });

  it('is created with a managed key in the ams region and answers with an ETag', () => {
    expect(tenant).toMatchObject({ slug: body.slug, homeSite: 'ams', status: 'active', key: { mode: 'managed' } });
    expect(tenant.key.keyArn).toMatch(new RegExp(`^arn:aws:kms:${stack().sites.ams.region}:`));
    expect(tenant.etag).toBe('"v1"');
    expect(tenant.securityContacts).toEqual(body.securityContacts);
  });

  it('leaves nothing in the fra region but its directory entry', async () => {
    const fra = await scanRegion('fra');
    const outsideDirectory: string[] = [];
    const strayAttributes: string[] = [];
    for (const [table, items] of Object.entries(fra)) {
      const mentions = items.filter(
        (item) => searchableText([item]).includes(tenant.id) || searchableText([item]).includes(body.slug),
      );
      if (table !== DIRECTORY_TABLE_NAME) outsideDirectory.push(...mentions.map((item) => `${table}: ${String(item.pk)}`));
      for (const item of mentions) strayAttributes.push(...Object.keys(item).filter((a) => !ALLOWED_DIRECTORY_ATTRIBUTES.has(a)));
    }
    expect(outsideDirectory).toEqual([]);
    expect(strayAttributes).toEqual([]);
    expect(fra[DIRECTORY_TABLE_NAME]!.some((item) => item.tenantId === tenant.id && item.homeSite === 'ams')).toBe(true);
    expect(searchableText(fra)).not.toContain(body.securityContacts[0]!.email);
  });

  it('stores no personal field in plaintext at ams', async () => {
    const ams = await scanRegion('ams');
    const text = searchableText(ams);
    expect(text).toContain(tenant.id);
    expect(text).not.toContain(body.securityContacts[0]!.email);
    expect(text).not.toContain('Security Desk');
  });

  it('keeps the directory to its own fields on both sites', async () => {
    for (const site of ['fra', 'ams'] as const) {
      const items = (await scanRegion(site))[DIRECTORY_TABLE_NAME]!;
      const stray = items.flatMap((item) => Object.keys(item).filter((a) => !ALLOWED_DIRECTORY_ATTRIBUTES.has(a)));
      const malformed = items
        .filter((item) => String(item.pk).startsWith('TENANT#'))
        .filter(({ pk: _pk, ...entry }) => !directoryEntrySchema.safeParse(entry).success);
      expect(stray).toEqual([]);
      expect(malformed).toEqual([]);
    }
  });

  it('is found through the directory on both sites', async () => {
    for (const site of ['fra', 'ams'] as const) {
      const res = await api(site, `/v1/directory/${body.slug}`);
      expect(res.status).toBe(200);
      // No web client configured: no sign-in is announced, and the site's web app stands in for the tenant's own.
      expect(res.body).toEqual({
        tenantId: tenant.id,
        slug: body.slug,
        homeSite: 'ams',
        apiUrl: stack().sites.ams.apiUrl,
        webUrl: stack().sites[site].env.MEETPLANE_WEB_URL,
      });
    }
    expect((await api('fra', '/v1/directory/no-such-tenant')).status).toBe(404);
  });

  it('is refused at fra with 421 and the ams address, and fra stores nothing', async () => {
    const misdirected = tenantBody(idp, 'ams', { slug: uniqueSlug('misdirected') });
    const before = await writableSnapshot('fra');
    const res = await createTenant('fra', misdirected);
    expect(res.status).toBe(421);
    expect(res.body).toMatchObject({ status: 421, homeSite: 'ams', apiUrl: stack().sites.ams.apiUrl });
    const get = await api('fra', `/v1/tenants/${tenant.id}`, { headers: operatorHeaders() });
    expect(get.status).toBe(421);
    expect(await writableSnapshot('fra')).toBe(before);
    expect(before).not.toContain(misdirected.slug);
    // fra changed only by the directory replica of the tenant created above.
    expect(fraBefore).not.toContain(tenant.id);
  });

  it("seals personal fields so that another tenant's encryption context cannot open them at KMS", async () => {
    const ams = await scanRegion('ams');
    const profile = ams[siteTableName('ams')]!.find((item) => item.pk === `T#${tenant.id}` && item.sk === 'PROFILE')!;
    const { wrappedKey, context } = sealedHeader(profile.sealed as Uint8Array);
    expect(context).toEqual({ tenantId: tenant.id, site: 'ams', purpose: 'tenant-profile' });
    const kms = kmsOf('ams');
    const own = await kms.send(new DecryptCommand({ CiphertextBlob: wrappedKey, EncryptionContext: context }));
    expect(own.Plaintext).toHaveLength(32);
    await expect(
      kms.send(
        new DecryptCommand({
          CiphertextBlob: wrappedKey,
          EncryptionContext: { ...context, tenantId: 'tn_000000000000000000000000' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });
});

describe('customer keys', () => {
  it("accepts a key in the home site's region that KMS lets us use", async () => {
    const created = await kmsOf('ams').send(new CreateKeyCommand({ Description: 'a tenant-owned key' }));
    const res = await createTenant(
      'ams',
      tenantBody(await newIdp(), 'ams', { key: { mode: 'customer', keyArn: created.KeyMetadata!.Arn } }),
    );
    expect(res.status).toBe(201);
    expect((res.body as TenantResource).key).toEqual({ mode: 'customer', keyArn: created.KeyMetadata!.Arn });
  });

  it('refuses a key in another region, naming the field', async () => {
    const foreign = `arn:aws:kms:eu-central-1:111122223333:key/${'1234abcd-12ab-34cd-56ef-1234567890ab'}`;
    const res = await createTenant('ams', tenantBody(await newIdp(), 'ams', { key: { mode: 'customer', keyArn: foreign } }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      errors: [expect.objectContaining({ field: 'key.keyArn', message: expect.stringMatching(/eu-central-1/) })],
    });
  });

  it('refuses a key KMS does not know', async () => {
    const missing = `arn:aws:kms:${stack().sites.ams.region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const res = await createTenant('ams', tenantBody(await newIdp(), 'ams', { key: { mode: 'customer', keyArn: missing } }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [expect.objectContaining({ field: 'key.keyArn' })] });
  });
});

describe('bad input is refused with a named field and nothing written', () => {
  const cases: [string, (b: Record<string, unknown>) => Record<string, unknown>, number, string][] = [
    ['an unknown field', (b) => ({ ...b, colour: 'blue' }), 400, 'colour'],
    ['a home site not in the registry', (b) => ({ ...b, homeSite: 'lon' }), 400, 'homeSite'],
    ['an allowed site outside the registry and the EU', (b) => ({ ...b, allowedSites: ['us-east'] }), 400, 'allowedSites.0'],
    ['the home site listed as an allowed site', (b) => ({ ...b, allowedSites: ['fra'] }), 400, 'allowedSites'],
    ['a malformed key ARN', (b) => ({ ...b, key: { mode: 'customer', keyArn: 'arn:aws:kms:nowhere' } }), 400, 'key.keyArn'],
    ['a malformed slug', (b) => ({ ...b, slug: 'Not A Slug' }), 400, 'slug'],
    [
      'a JWKS address over plain http off loopback',
      (b) => ({ ...b, idp: { ...(b.idp as object), jwksUri: 'http://idp.example.test/jwks' } }),
      400,
      'idp.jwksUri',
    ],
    ['a web app URL that is not http(s)', (b) => ({ ...b, webUrl: 'ftp://meet.example.test' }), 400, 'webUrl'],
    ['a web app URL with a fragment', (b) => ({ ...b, webUrl: 'https://meet.example.test/#x' }), 400, 'webUrl'],
    ['a web app URL that is no URL', (b) => ({ ...b, webUrl: 'AAA' }), 400, 'webUrl'],
    ['an empty web app URL', (b) => ({ ...b, webUrl: '' }), 400, 'webUrl'],
    [
      'a web client id with a space',
      (b) => ({ ...b, idp: { ...(b.idp as object), webClientId: 'web client' } }),
      400,
      'idp.webClientId',
    ],
  ];

  it.each(cases)('%s', async (_name, mutate, status, field) => {
    const before = await writableSnapshot('fra');
    const keysBefore = (await kmsOf('fra').send(new ListKeysCommand({ Limit: 1000 }))).Keys?.length;
    const res = await createTenant('fra', mutate(tenantBody(await newIdp(), 'fra')));
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    expect(await writableSnapshot('fra')).toBe(before);
    expect((await kmsOf('fra').send(new ListKeysCommand({ Limit: 1000 }))).Keys?.length).toBe(keysBefore);
  });

  it('a slug that is taken is 409 on slug, and an issuer in use is 409 on idp.issuer', async () => {
    const first = tenantBody(await newIdp(), 'fra');
    expect((await createTenant('fra', first)).status).toBe(201);
    const keysBefore = (await kmsOf('fra').send(new ListKeysCommand({ Limit: 1000 }))).Keys?.length;
    const sameSlug = await createTenant('fra', tenantBody(await newIdp(), 'fra', { slug: first.slug }));
    expect(sameSlug.status).toBe(409);
    expect(sameSlug.body).toMatchObject({ errors: [expect.objectContaining({ field: 'slug' })] });
    const sameIssuer = await createTenant('fra', { ...tenantBody(await newIdp(), 'fra'), idp: first.idp });
    expect(sameIssuer.status).toBe(409);
    expect(sameIssuer.body).toMatchObject({ errors: [expect.objectContaining({ field: 'idp.issuer' })] });
    // The same slug is taken across sites too: the directory is shared.
    const elsewhere = await createTenant('ams', tenantBody(await newIdp(), 'ams', { slug: first.slug }));
    expect(elsewhere.status).toBe(409);
    expect((await kmsOf('fra').send(new ListKeysCommand({ Limit: 1000 }))).Keys?.length).toBe(keysBefore);
  });

  it('refuses operator routes without the operator token', async () => {
    const res = await api('fra', '/v1/tenants', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-token-at-all-000000' },
      body: JSON.stringify(tenantBody(idp, 'fra')),
    });
    expect(res.status).toBe(401);
  });
});

describe('the web client and the web app', () => {
  it('are announced by the directory on both sites and followed by calendar links; null returns to the defaults', async () => {
    const college = await testTenant('fra', { webUrl: 'http://127.0.0.1:4999/college/' });
    extraIdps.push(college.idp);
    expect(college.tenant).toMatchObject({ webUrl: 'http://127.0.0.1:4999/college' });
    const patch = (etag: string, body: unknown) =>
      api('fra', `/v1/tenants/${college.tenant.id}`, {
        method: 'PATCH',
        headers: operatorHeaders({ 'if-match': etag }),
        body: JSON.stringify(body),
      });
    const withClient = await patch(college.tenant.etag, { idp: { webClientId: 'college-web' } });
    expect(withClient.status).toBe(200);
    expect(withClient.body).toMatchObject({ idp: { issuer: college.idp.issuer, webClientId: 'college-web' } });
    for (const site of ['fra', 'ams'] as const) {
      expect((await api(site, `/v1/directory/${college.tenant.slug}`)).body).toMatchObject({
        signIn: { issuer: college.idp.issuer, clientId: 'college-web', audience: college.idp.audience },
        webUrl: 'http://127.0.0.1:4999/college',
      });
    }
    const host = await college.token('hana', ['host']);
    const meeting = await college.call('/v1/meetings', host, {
      method: 'POST',
      json: { title: 'Senate', startsAt: '2027-03-01T10:00:00+01:00', durationMinutes: 60, timeZone: 'Europe/Berlin' },
    });
    const meetingId = (meeting.body as { id: string }).id;
    const ics = await college.call(`/v1/meetings/${meetingId}/invite.ics`, host);
    const ICAL = (await import('ical.js')).default;
    const event = new ICAL.Component(ICAL.parse(ics.body as string)).getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('url')).toBe(`http://127.0.0.1:4999/college/${college.tenant.slug}/m/${meetingId}`);

    const patched = await patch((withClient.body as TenantResource).etag, { webUrl: null, idp: { webClientId: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).not.toHaveProperty('webUrl');
    expect((patched.body as { idp: object }).idp).not.toHaveProperty('webClientId');
    const answer = (await api('ams', `/v1/directory/${college.tenant.slug}`)).body as Record<string, unknown>;
    expect(answer.signIn).toBeUndefined();
    expect(answer.webUrl).toBe(stack().sites.ams.env.MEETPLANE_WEB_URL);
  });
});

describe('updates, idempotency and status changes', () => {
  it('retries with the same Idempotency-Key return the first tenant; another body with it is 422', async () => {
    const body = tenantBody(await newIdp(), 'fra');
    const key = `create-${body.slug}`;
    const first = await createTenant('fra', body, { 'idempotency-key': key });
    const again = await createTenant('fra', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect((again.body as TenantResource).id).toBe((first.body as TenantResource).id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await createTenant('fra', { ...body, tier: 'enterprise' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
  });

  it('needs If-Match to update (428), refuses a stale one (412) and applies a fresh one', async () => {
    const created = (await createTenant('fra', tenantBody(await newIdp(), 'fra'))).body as TenantResource;
    const path = `/v1/tenants/${created.id}`;
    const patch = (headers: Record<string, string>, body: unknown) =>
      api('fra', path, { method: 'PATCH', headers: operatorHeaders(headers), body: JSON.stringify(body) });
    expect((await patch({}, { tier: 'enterprise' })).status).toBe(428);
    const ok = await patch({ 'if-match': created.etag }, { tier: 'enterprise', reason: 'contract upgrade' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tier: 'enterprise', etag: '"v2"' });
    expect(ok.headers.get('etag')).toBe('"v2"');
    expect((await patch({ 'if-match': created.etag }, { tier: 'free' })).status).toBe(412);
    const read = await api('fra', path, { headers: operatorHeaders() });
    expect(read.body).toMatchObject({ tier: 'enterprise' });
  });

  it('suspends only with a reason and a legal basis, and reinstates', async () => {
    const created = (await createTenant('fra', tenantBody(await newIdp(), 'fra'))).body as TenantResource;
    const post = (action: string, body: unknown) =>
      api('fra', `/v1/tenants/${created.id}/${action}`, {
        method: 'POST',
        headers: operatorHeaders(),
        body: JSON.stringify(body),
      });
    const noReason = await post('suspend', { legalBasis: 'contract, unpaid invoices' });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({ errors: [expect.objectContaining({ field: 'reason' })] });
    const suspended = await post('suspend', { reason: 'unpaid invoices', legalBasis: 'contract §7.2' });
    expect(suspended.body).toMatchObject({
      status: 'suspended',
      suspension: { reason: 'unpaid invoices', legalBasis: 'contract §7.2' },
    });
    expect((await post('suspend', { reason: 'again', legalBasis: 'contract' })).status).toBe(409);
    expect((await post('reinstate', { reason: 'invoices paid', legalBasis: 'contract §7.3' })).body).toMatchObject({
      status: 'active',
    });
  });
});

describe('the audit trail', () => {
  it("shows each operator action with who, when, what and why to the tenant's admins", async () => {
    const ownIdp = await newIdp();
    const created = (await createTenant('fra', tenantBody(ownIdp, 'fra'))).body as TenantResource;
    const post = (action: string, body: unknown) =>
      api('fra', `/v1/tenants/${created.id}/${action}`, {
        method: 'POST',
        headers: operatorHeaders(),
        body: JSON.stringify(body),
      });
    await post('suspend', { reason: 'security incident review', legalBasis: 'contract §9' });
    await post('reinstate', { reason: 'review closed', legalBasis: 'contract §9' });

    const admin = await ownIdp.token('admin-1', ['admin']);
    const res = await api('fra', '/v1/audit', { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const items = (res.body as { items: Record<string, unknown>[] }).items;
    expect(items.map((e) => e.action)).toEqual(['tenant.create', 'tenant.suspend', 'tenant.reinstate']);
    for (const entry of items) {
      expect(entry).toMatchObject({ actor: { type: 'operator', id: 'local-operator' }, target: `tenant/${created.id}` });
      expect(Date.parse(String(entry.at))).not.toBeNaN();
    }
    expect(items[1]).toMatchObject({ reason: 'security incident review', legalBasis: 'contract §9' });
    // Intact, and none of it signed yet: the site signs heads on its schedule or on request.
    expect((await api('fra', '/v1/audit/verify', { headers: { authorization: `Bearer ${admin}` } })).body).toEqual({
      intact: true,
      entries: 3,
      breaks: [],
      headsChecked: 0,
      notYetSigned: 3,
    });

    const host = await ownIdp.token('host-1', ['host']);
    expect((await api('fra', '/v1/audit', { headers: { authorization: `Bearer ${host}` } })).status).toBe(403);
    expect((await api('fra', '/v1/audit', {})).status).toBe(401);
  });
});

describe('offboarding', () => {
  it('removes the directory entry and records, and shreds the managed key so sealed fields are unreadable', async () => {
    const body = tenantBody(await newIdp(), 'ams');
    const created = (await createTenant('ams', body)).body as TenantResource;
    const profile = (await scanRegion('ams'))[siteTableName('ams')]!.find(
      (i) => i.pk === `T#${created.id}` && i.sk === 'PROFILE',
    )!;
    const { wrappedKey, context } = sealedHeader(profile.sealed as Uint8Array);

    const wrongSlug = await api('ams', `/v1/tenants/${created.id}/offboard`, {
      method: 'POST',
      headers: operatorHeaders(),
      body: JSON.stringify({ reason: 'contract ended', legalBasis: 'contract §12', confirmSlug: 'some-other-slug' }),
    });
    expect(wrongSlug.status).toBe(400);

    const res = await api('ams', `/v1/tenants/${created.id}/offboard`, {
      method: 'POST',
      headers: operatorHeaders(),
      body: JSON.stringify({ reason: 'contract ended', legalBasis: 'contract §12', confirmSlug: body.slug }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'offboarded', directoryEntryRemoved: true, key: { mode: 'managed' } });

    for (const site of ['fra', 'ams'] as const) {
      expect(searchableText(await scanRegion(site))).not.toContain(created.id);
      expect((await api(site, `/v1/directory/${body.slug}`)).status).toBe(404);
    }
    await expect(
      kmsOf('ams').send(new DecryptCommand({ CiphertextBlob: wrappedKey, EncryptionContext: context })),
    ).rejects.toThrow();
    expect((await api('ams', `/v1/tenants/${created.id}`, { headers: operatorHeaders() })).status).toBe(404);
  });

  it('answers a retry with the same Idempotency-Key with the first report, and a different body with it is 422', async () => {
    const body = tenantBody(await newIdp(), 'fra');
    const created = (await createTenant('fra', body)).body as TenantResource;
    const why = { reason: 'contract ended', legalBasis: 'contract §12', confirmSlug: body.slug };
    const offboard = (payload: object, key: string) =>
      api('fra', `/v1/tenants/${created.id}/offboard`, {
        method: 'POST',
        headers: { ...operatorHeaders(), 'idempotency-key': key },
        body: JSON.stringify(payload),
      });
    const key = `offboard-${Date.now()}`;

    const first = await offboard(why, key);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(first.body).toMatchObject({ tenantId: created.id, status: 'offboarded', key: { mode: 'managed' } });
    expect((first.body as { recordsDeleted: number }).recordsDeleted).toBeGreaterThan(0);

    const again = await offboard(why, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);

    expect((await offboard({ ...why, reason: 'another reason' }, key)).status).toBe(422);
    // Without the key, the tenant is simply gone; and what the key kept names it nowhere.
    expect((await offboard(why, `${key}-other`)).status).toBe(404);
    expect(searchableText(await scanRegion('fra'))).not.toContain(created.id);
  });
});
