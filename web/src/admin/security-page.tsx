import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { securityContactsBody } from '../../../lambdas/api/schemas/advisories.js';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { check, Field, issueOf, Problem, problemIssues, Saved, useLoad, type FieldIssues } from './form-kit';

/** A webhook secret: 48 random bytes, base64url (64 characters). */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Where security advisories go (addresses and a signed webhook, whose secret is shown once), and the site's advisories. */
export default function SecurityPage() {
  const { api } = useOrgSession();
  const { t, i18n } = useTranslation();
  const contacts = useLoad(async () => (await api.GET('/v1/settings/security-contacts')).data, [api]);
  const advisories = useLoad(async () => (await api.GET('/v1/advisories', { params: { query: { limit: '20' } } })).data, [api]);
  const [emails, setEmails] = useState('');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [secret, setSecret] = useState<string>();
  const [issues, setIssues] = useState<FieldIssues>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [shownSecret, setShownSecret] = useState<string>();
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' });

  useEffect(() => {
    if (!contacts.data) return;
    setEmails(contacts.data.emails.join('\n'));
    setWebhookUrl(contacts.data.webhook?.url ?? '');
  }, [contacts.data]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    setShownSecret(undefined);
    const url = webhookUrl.trim();
    const body = {
      emails: emails
        .split(/[\s,;]+/)
        .map((e) => e.trim())
        .filter(Boolean),
      ...(url && { webhook: { url, secret: secret ?? '' } }),
    };
    const checked = check(securityContactsBody, body);
    if (!checked.ok) return setIssues(checked.issues);
    setIssues({});
    try {
      const { data } = await api.PUT('/v1/settings/security-contacts', { body: checked.data });
      if (data) contacts.setData(data);
      setSaved(t('admin.saved'));
      // The secret goes to the API once and is never shown again: show it now, for the receiver's configuration.
      if (checked.data.webhook) setShownSecret(checked.data.webhook.secret);
      setSecret(undefined);
    } catch (caught) {
      setError(caught);
      setIssues(problemIssues(caught));
    }
  }

  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">{t('admin.security.title')}</h1>
      <p>{t('admin.security.intro')}</p>
      {!contacts.data ? (
        contacts.error ? (
          <Problem error={contacts.error} onRetry={() => void contacts.reload()} />
        ) : (
          <Loading />
        )
      ) : (
        <form onSubmit={(e) => void save(e)} noValidate className="narrow">
          <Problem error={error} />
          <Saved text={saved} />
          {shownSecret ? (
            <div role="status" className="notice" data-testid="secret-once">
              <p>{t('admin.security.secretOnce')}</p>
              <code className="wrap">{shownSecret}</code>
            </div>
          ) : null}
          <Field label={t('admin.security.emails')} hint={t('admin.security.emailsHint')} issue={issueOf(issues, 'emails')}>
            {(props) => <textarea {...props} name="emails" rows={3} value={emails} onChange={(e) => setEmails(e.target.value)} />}
          </Field>
          <Field
            label={t('admin.security.webhook')}
            hint={t('admin.security.webhookHint')}
            issue={issueOf(issues, 'webhook.url')}
          >
            {(props) => (
              <input {...props} name="webhookUrl" type="url" value={webhookUrl} onChange={(e) => setWebhookUrl(e.target.value)} />
            )}
          </Field>
          {webhookUrl.trim() ? (
            <Field
              label={t('admin.security.secret')}
              hint={contacts.data.webhook?.secretSet ? t('admin.security.secretSet') : t('admin.security.secretHint')}
              issue={issueOf(issues, 'webhook.secret')}
            >
              {(props) => (
                <div className="row">
                  <input
                    {...props}
                    name="secret"
                    type="password"
                    autoComplete="off"
                    value={secret ?? ''}
                    onChange={(e) => setSecret(e.target.value)}
                  />
                  <button type="button" onClick={() => setSecret(newSecret())}>
                    {t('admin.security.generate')}
                  </button>
                </div>
              )}
            </Field>
          ) : null}
          <button type="submit" className="primary">
            {t('admin.save')}
          </button>
        </form>
      )}

      <h2 id="advisories-title">{t('admin.security.advisories')}</h2>
      {!advisories.data ? (
        advisories.error ? (
          <Problem error={advisories.error} onRetry={() => void advisories.reload()} />
        ) : (
          <Loading />
        )
      ) : advisories.data.items.length === 0 ? (
        <p>{t('admin.security.noAdvisories')}</p>
      ) : (
        <ul className="cards" aria-labelledby="advisories-title">
          {advisories.data.items.map((a) => (
            <li key={a.id} className="card">
              <h3>
                {a.title} <span className={`badge severity-${a.severity}`}>{t(`admin.severity.${a.severity}`)}</span>
              </h3>
              <p className="muted">
                <time dateTime={a.publishedAt}>{when.format(new Date(a.publishedAt))}</time>
                {a.cve?.length ? ` · ${a.cve.join(', ')}` : ''}
              </p>
              <p>{a.summary}</p>
              {a.details ? (
                <details>
                  <summary>{t('admin.security.details')}</summary>
                  <p className="prewrap">{a.details}</p>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
