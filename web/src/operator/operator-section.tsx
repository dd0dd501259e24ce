import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { advisoryBody } from '../../../lambdas/api/schemas/advisories.js';
import { createTenantBody, offboardBody, statusChangeBody } from '../../../lambdas/api/schemas/tenants.js';
import { PLAN_TIERS } from '../../../config/tiers.js';
import { check, Field, issueOf, Problem, RadioChoice, Saved, useSubmission } from '../admin/form-kit';
import type { components } from '../api/schema';
import { findOrganisation } from '../org';
import { LanguageSwitch } from '../ui/language-switch';
import { Loading } from '../ui/status';
import '../admin/admin.css';
import { forgetOperatorToken, keepOperatorToken, operatorSites, operatorToken, type OperatorSite } from './operator-session';

type Tenant = components['schemas']['Tenant'];
type Publication = components['schemas']['AdvisoryPublication'];
type Offboarding = components['schemas']['OffboardingReport'];
type Nodes = components['schemas']['MediaClusterList'];

function TokenForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  const [issue, setIssue] = useState<string>();
  function submit(event: FormEvent) {
    event.preventDefault();
    if (token.trim().length < 24) return setIssue(t('operator.tokenTooShort'));
    keepOperatorToken(token.trim());
    onSignedIn();
  }
  return (
    <form onSubmit={submit} noValidate className="narrow card" aria-labelledby="operator-signin">
      <h2 id="operator-signin">{t('operator.signInTitle')}</h2>
      <p>{t('operator.signInIntro')}</p>
      <Field label={t('operator.token')} hint={t('operator.tokenHint')} issue={issue}>
        {(props) => (
          <input
            {...props}
            name="operatorToken"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="primary">
        {t('operator.signIn')}
      </button>
      <p className="muted">{t('operator.iamNote')}</p>
    </form>
  );
}

function OnboardPanel({ sites }: { sites: readonly OperatorSite[] }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({
    slug: '',
    homeSite: sites[0]?.site ?? '',
    allowedSites: [] as string[],
    tier: 'business',
    issuer: '',
    jwksUri: '',
    audience: '',
    webClientId: '',
    keyMode: 'managed',
    keyArn: '',
    contact: '',
  });
  const onboarding = useSubmission();
  const { issues, error, busy } = onboarding;
  const [created, setCreated] = useState<Tenant>();
  const set = (key: keyof typeof form, value: string | string[]) => setForm({ ...form, [key]: value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(undefined);
    const body = {
      slug: form.slug.trim(),
      homeSite: form.homeSite,
      allowedSites: form.allowedSites.filter((s) => s !== form.homeSite),
      tier: form.tier,
      idp: {
        issuer: form.issuer.trim(),
        jwksUri: form.jwksUri.trim(),
        audience: form.audience.trim(),
        ...(form.webClientId.trim() && { webClientId: form.webClientId.trim() }),
      },
      key: form.keyMode === 'customer' ? { mode: 'customer', keyArn: form.keyArn.trim() } : { mode: 'managed' },
      ...(form.contact.trim() && { securityContacts: [{ email: form.contact.trim() }] }),
    };
    const site = sites.find((s) => s.site === form.homeSite);
    if (!site) return;
    await onboarding.submit(createTenantBody, body, async (checked, idempotencyKey) => {
      const { data } = await site.api.POST('/v1/tenants', {
        params: { header: { 'Idempotency-Key': idempotencyKey } },
        body: checked,
      });
      setCreated(data);
      return undefined;
    });
  }

  return (
    <section aria-labelledby="onboard-title" className="card">
      <h2 id="onboard-title">{t('operator.onboardTitle')}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('operator.slug')} hint={t('operator.slugHint')} issue={issueOf(issues, 'slug')}>
          {(props) => <input {...props} name="slug" value={form.slug} onChange={(e) => set('slug', e.target.value)} />}
        </Field>
        <Field label={t('operator.homeSite')} hint={t('operator.homeSiteHint')} issue={issueOf(issues, 'homeSite')}>
          {(props) => (
            <select {...props} name="homeSite" value={form.homeSite} onChange={(e) => set('homeSite', e.target.value)}>
              {sites.map((s) => (
                <option key={s.site} value={s.site}>
                  {s.site} ({s.region})
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset>
          <legend>{t('operator.failoverSites')}</legend>
          {sites
            .filter((s) => s.site !== form.homeSite)
            .map((s) => (
              <label key={s.site} className="check">
                <input
                  type="checkbox"
                  name="allowedSites"
                  value={s.site}
                  checked={form.allowedSites.includes(s.site)}
                  onChange={(e) =>
                    set(
                      'allowedSites',
                      e.target.checked ? [...form.allowedSites, s.site] : form.allowedSites.filter((x) => x !== s.site),
                    )
                  }
                />
                {s.site} ({s.region})
              </label>
            ))}
        </fieldset>
        <Field label={t('operator.tier')} issue={issueOf(issues, 'tier')}>
          {(props) => (
            <select {...props} name="tier" value={form.tier} onChange={(e) => set('tier', e.target.value)}>
              {PLAN_TIERS.map((tier) => (
                <option key={tier} value={tier}>
                  {t(`admin.tier.${tier}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('operator.issuer')} issue={issueOf(issues, 'idp.issuer')}>
          {(props) => <input {...props} name="issuer" value={form.issuer} onChange={(e) => set('issuer', e.target.value)} />}
        </Field>
        <Field label={t('operator.jwksUri')} issue={issueOf(issues, 'idp.jwksUri')}>
          {(props) => (
            <input {...props} name="jwksUri" type="url" value={form.jwksUri} onChange={(e) => set('jwksUri', e.target.value)} />
          )}
        </Field>
        <Field label={t('operator.audience')} issue={issueOf(issues, 'idp.audience')}>
          {(props) => (
            <input {...props} name="audience" value={form.audience} onChange={(e) => set('audience', e.target.value)} />
          )}
        </Field>
        <Field label={t('operator.webClientId')} hint={t('operator.webClientIdHint')} issue={issueOf(issues, 'idp.webClientId')}>
          {(props) => (
            <input {...props} name="webClientId" value={form.webClientId} onChange={(e) => set('webClientId', e.target.value)} />
          )}
        </Field>
        <RadioChoice
          legend={t('operator.key')}
          name="keyMode"
          value={form.keyMode}
          options={[
            { value: 'managed', label: t('admin.overview.key.managed') },
            { value: 'customer', label: t('admin.overview.key.customer') },
          ]}
          onChange={(value) => set('keyMode', value)}
        />
        {form.keyMode === 'customer' ? (
          <Field label={t('operator.keyArn')} issue={issueOf(issues, 'key.keyArn')}>
            {(props) => <input {...props} name="keyArn" value={form.keyArn} onChange={(e) => set('keyArn', e.target.value)} />}
          </Field>
        ) : null}
        <Field label={t('operator.contact')} issue={issueOf(issues, 'securityContacts')}>
          {(props) => (
            <input {...props} name="contact" type="email" value={form.contact} onChange={(e) => set('contact', e.target.value)} />
          )}
        </Field>
        <Problem error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('operator.onboard')}
        </button>
      </form>
      {created ? (
        <p role="status" className="notice" data-testid="onboarded">
          {t('operator.onboarded', { slug: created.slug, site: created.homeSite, id: created.id })}
        </p>
      ) : null}
    </section>
  );
}

function TenantPanel({ sites }: { sites: readonly OperatorSite[] }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [tenant, setTenant] = useState<Tenant>();
  const [site, setSite] = useState<OperatorSite>();
  const [reason, setReason] = useState('');
  const [legalBasis, setLegalBasis] = useState('');
  const [confirmSlug, setConfirmSlug] = useState('');
  const [confirming, setConfirming] = useState(false);
  const changing = useSubmission();
  const { issues, error, setError, saved } = changing;
  const [offboarded, setOffboarded] = useState<Offboarding>();

  async function find(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setTenant(undefined);
    setOffboarded(undefined);
    try {
      const org = await findOrganisation(name);
      const home = sites.find((s) => s.site === org.homeSite);
      if (!home) throw new Error(t('operator.siteUnknown', { site: org.homeSite }));
      const { data } = await home.api.GET('/v1/tenants/{tenantId}', { params: { path: { tenantId: org.tenantId } } });
      setSite(home);
      setTenant(data);
    } catch (caught) {
      setError(caught);
    }
  }

  async function changeStatus(to: 'suspend' | 'reinstate') {
    if (!tenant || !site) return;
    await changing.submit(statusChangeBody, { reason, legalBasis }, async (checked) => {
      const path = to === 'suspend' ? '/v1/tenants/{tenantId}/suspend' : '/v1/tenants/{tenantId}/reinstate';
      const { data } = await site.api.POST(path, { params: { path: { tenantId: tenant.id } }, body: checked });
      setTenant(data);
      return to === 'suspend' ? t('operator.suspended') : t('operator.reinstated');
    });
  }

  async function offboard() {
    if (!tenant || !site) return;
    const body = { reason, legalBasis, confirmSlug };
    const checked = check(offboardBody, body);
    if (checked.ok && checked.data.confirmSlug !== tenant.slug)
      return changing.setIssues({ confirmSlug: t('operator.confirmMismatch') });
    await changing.submit(offboardBody, body, async (confirmed) => {
      const { data } = await site.api.POST('/v1/tenants/{tenantId}/offboard', {
        params: { path: { tenantId: tenant.id } },
        body: confirmed,
      });
      setOffboarded(data);
      setTenant(undefined);
      setConfirming(false);
      return undefined;
    });
  }

  return (
    <section aria-labelledby="tenant-title" className="card">
      <h2 id="tenant-title">{t('operator.tenantTitle')}</h2>
      <form onSubmit={(e) => void find(e)} noValidate className="row">
        <Field label={t('operator.findTenant')} hint={t('operator.findHint')}>
          {(props) => <input {...props} name="tenant" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <button type="submit">{t('operator.find')}</button>
      </form>
      <Problem error={error} />
      <Saved text={saved} />
      {offboarded ? (
        <div role="status" className="notice" data-testid="offboarded">
          <p>{t('operator.offboarded', { count: offboarded.recordsDeleted })}</p>
          <p>
            {offboarded.key.deletionScheduledFor
              ? t('operator.keyShredded', { when: offboarded.key.deletionScheduledFor })
              : (offboarded.key.note ?? t('operator.customerKeyNote'))}
          </p>
        </div>
      ) : null}
      {tenant ? (
        <div data-tenant={tenant.id}>
          <dl className="facts">
            <dt>{t('operator.tenantId')}</dt>
            <dd>
              <code>{tenant.id}</code>
            </dd>
            <dt>{t('admin.overview.homeSite')}</dt>
            <dd>{tenant.homeSite}</dd>
            <dt>{t('admin.overview.status')}</dt>
            <dd data-testid="tenant-status">{t(`admin.status.${tenant.status}`)}</dd>
            {tenant.suspension ? (
              <>
                <dt>{t('operator.suspension')}</dt>
                <dd>
                  {tenant.suspension.reason} ({tenant.suspension.legalBasis})
                </dd>
              </>
            ) : null}
            <dt>{t('admin.overview.keyMode')}</dt>
            <dd>{t(`admin.overview.key.${tenant.key.mode}`)}</dd>
          </dl>
          <Field label={t('operator.reason')} hint={t('operator.reasonHint')} issue={issueOf(issues, 'reason')}>
            {(props) => <input {...props} name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <Field label={t('operator.legalBasis')} hint={t('operator.legalBasisHint')} issue={issueOf(issues, 'legalBasis')}>
            {(props) => <input {...props} name="legalBasis" value={legalBasis} onChange={(e) => setLegalBasis(e.target.value)} />}
          </Field>
          <div className="actions">
            {tenant.status === 'active' ? (
              <button type="button" onClick={() => void changeStatus('suspend')}>
                {t('operator.suspend')}
              </button>
            ) : (
              <button type="button" onClick={() => void changeStatus('reinstate')}>
                {t('operator.reinstate')}
              </button>
            )}
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              {t('operator.offboard')}
            </button>
          </div>
          {confirming ? (
            <div role="alertdialog" aria-labelledby="offboard-confirm" className="card confirm">
              <p id="offboard-confirm">
                {tenant.key.mode === 'managed' ? t('operator.shredWarning') : t('operator.customerKeyWarning')}
              </p>
              <Field label={t('operator.confirmSlug', { slug: tenant.slug })} issue={issueOf(issues, 'confirmSlug')}>
                {(props) => (
                  <input {...props} name="confirmSlug" value={confirmSlug} onChange={(e) => setConfirmSlug(e.target.value)} />
                )}
              </Field>
              <div className="actions">
                <button type="button" className="danger" onClick={() => void offboard()}>
                  {t('operator.offboardNow')}
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  {t('admin.cancel')}
                </button>
              </div>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function NodesPanel({ site }: { site: OperatorSite }) {
  const { t } = useTranslation();
  const [nodes, setNodes] = useState<Nodes>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    site.api
      .GET('/v1/media/clusters')
      .then(({ data }) => setNodes(data))
      .catch(setError);
  }, [site]);

  async function toggle(id: string, drain: boolean) {
    setError(undefined);
    try {
      const path = drain ? '/v1/media/clusters/{clusterId}/drain' : '/v1/media/clusters/{clusterId}/undrain';
      const { data } = await site.api.POST(path, { params: { path: { clusterId: id } } });
      setNodes(data);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section aria-labelledby="clusters-title" className="card">
      <h2 id="clusters-title">{t('operator.clustersTitle', { site: site.site })}</h2>
      <Problem error={error} />
      {!nodes ? (
        error ? null : (
          <Loading />
        )
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('operator.cluster')}</th>
              <th scope="col">{t('operator.clusterSite')}</th>
              <th scope="col">{t('operator.clusterStatus')}</th>
              <th scope="col">{t('operator.clusterHealth')}</th>
              <th scope="col">{t('operator.clusterLoad')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('operator.clusterActions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {nodes.items.map((n) => (
              <tr key={n.id} data-cluster={n.id}>
                <th scope="row">{n.id}</th>
                <td>{n.site}</td>
                <td data-testid="node-status">{t(`operator.clusterState.${n.status}`)}</td>
                <td>{n.healthy ? t('operator.healthy') : t('operator.unhealthy')}</td>
                <td>{n.participants}</td>
                <td>
                  {n.status === 'active' ? (
                    <button type="button" onClick={() => void toggle(n.id, true)}>
                      {t('operator.drain', { node: n.id })}
                    </button>
                  ) : (
                    <button type="button" onClick={() => void toggle(n.id, false)}>
                      {t('operator.undrain', { node: n.id })}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AdvisoryPanel({ site }: { site: OperatorSite }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ title: '', severity: 'high', summary: '', details: '', cve: '' });
  const publishing = useSubmission();
  const { issues, error, busy } = publishing;
  const [report, setReport] = useState<Publication>();
  const set = (key: keyof typeof form, value: string) => setForm({ ...form, [key]: value });

  async function publish(event: FormEvent) {
    event.preventDefault();
    const cve = form.cve
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter(Boolean);
    const body = {
      title: form.title,
      severity: form.severity,
      summary: form.summary,
      ...(form.details.trim() && { details: form.details }),
      ...(cve.length && { cve }),
    };
    await publishing.submit(advisoryBody, body, async (checked, idempotencyKey) => {
      const { data } = await site.api.POST('/v1/advisories', {
        params: { header: { 'Idempotency-Key': idempotencyKey } },
        body: checked,
      });
      setReport(data);
      return undefined;
    });
  }

  return (
    <section aria-labelledby="advisory-title" className="card">
      <h2 id="advisory-title">{t('operator.advisoryTitle', { site: site.site })}</h2>
      <form onSubmit={(e) => void publish(e)} noValidate>
        <Field label={t('operator.advisoryName')} issue={issueOf(issues, 'title')}>
          {(props) => <input {...props} name="title" value={form.title} onChange={(e) => set('title', e.target.value)} />}
        </Field>
        <Field label={t('operator.severity')} issue={issueOf(issues, 'severity')}>
          {(props) => (
            <select {...props} name="severity" value={form.severity} onChange={(e) => set('severity', e.target.value)}>
              {(['low', 'medium', 'high', 'critical'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`admin.severity.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('operator.summary')} issue={issueOf(issues, 'summary')}>
          {(props) => (
            <textarea {...props} name="summary" rows={2} value={form.summary} onChange={(e) => set('summary', e.target.value)} />
          )}
        </Field>
        <Field label={t('operator.details')} issue={issueOf(issues, 'details')}>
          {(props) => (
            <textarea {...props} name="details" rows={4} value={form.details} onChange={(e) => set('details', e.target.value)} />
          )}
        </Field>
        <Field label={t('operator.cve')} hint={t('operator.cveHint')} issue={issueOf(issues, 'cve')}>
          {(props) => <input {...props} name="cve" value={form.cve} onChange={(e) => set('cve', e.target.value)} />}
        </Field>
        <Problem error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('operator.publish')}
        </button>
      </form>
      {report ? (
        <div role="status" data-testid="delivery-report">
          <h3>{t('operator.deliveryTitle')}</h3>
          <p>
            {t('operator.deliveryTotals', {
              tenants: report.totals.tenants,
              sent: report.totals.emailSent,
              failed: report.totals.emailFailed + report.totals.webhookFailed,
            })}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('operator.tenantId')}</th>
                <th scope="col">{t('operator.email')}</th>
                <th scope="col">{t('operator.webhook')}</th>
              </tr>
            </thead>
            <tbody>
              {report.deliveries.map((d) => (
                <tr key={d.tenantId}>
                  <th scope="row">
                    <code>{d.tenantId}</code>
                  </th>
                  <td>
                    {d.email.status}
                    {'error' in d.email ? ` (${d.email.error})` : ''}
                    {'reason' in d.email ? ` (${d.email.reason})` : ''}
                  </td>
                  <td>
                    {d.webhook.status}
                    {'error' in d.webhook ? ` (${d.webhook.error})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** The operators' view: onboard, suspend, reinstate and offboard tenants; drain media clusters; publish advisories. */
export default function OperatorSection() {
  const { t } = useTranslation();
  const [signedIn, setSignedIn] = useState(Boolean(operatorToken()));
  const [sites, setSites] = useState<OperatorSite[]>();
  const [siteId, setSiteId] = useState<string>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    operatorSites()
      .then((found) => {
        setSites(found);
        setSiteId(found[0]?.site);
      })
      .catch(setError);
  }, [signedIn]);

  const site = sites?.find((s) => s.site === siteId);
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="top-bar">
        <Link to="/" className="brand">
          {t('app.name')} · {t('operator.title')}
        </Link>
        <LanguageSwitch />
        {signedIn ? (
          <button
            type="button"
            onClick={() => {
              forgetOperatorToken();
              setSignedIn(false);
            }}
          >
            {t('operator.signOut')}
          </button>
        ) : null}
      </header>
      <main id="main" className="page">
        <h1>{t('operator.title')}</h1>
        {!signedIn ? (
          <TokenForm onSignedIn={() => setSignedIn(true)} />
        ) : !sites ? (
          error ? (
            <Problem error={error} />
          ) : (
            <Loading />
          )
        ) : (
          <>
            <Field label={t('operator.site')} hint={t('operator.siteHint')}>
              {(props) => (
                <select {...props} name="site" value={siteId} onChange={(e) => setSiteId(e.target.value)}>
                  {sites.map((s) => (
                    <option key={s.site} value={s.site}>
                      {s.site} ({s.region})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <OnboardPanel sites={sites} />
            <TenantPanel sites={sites} />
            {site ? <NodesPanel key={site.site} site={site} /> : null}
            {site ? <AdvisoryPanel key={`adv-${site.site}`} site={site} /> : null}
          </>
        )}
      </main>
    </>
  );
}
