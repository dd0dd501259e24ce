import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { grantBody } from '../../../lambdas/api/schemas/privacy.js';
import { SUPPORT_SCOPES } from '../../../lambdas/domain/support.js';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { Field, issueOf, Problem, Saved, useLoad, useSubmission } from './form-kit';

interface Use {
  readonly at: string;
  readonly scope: string;
  readonly location: string;
}

// i18next reads ':' as a namespace separator, so a scope's message key spells it '-'.
const scopeKey = (scope: string) => `admin.support.scope.${scope.replace(':', '-')}`;

const inDays = (days: number) => {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
};

/** Consent to support access: grant (ticket, scopes, expiry, EU only), list with each use support made of it, revoke at once. */
export default function SupportPage() {
  const { api } = useOrgSession();
  const { t, i18n } = useTranslation();
  const [ticketId, setTicketId] = useState('');
  const [scopes, setScopes] = useState<string[]>(['settings:read']);
  const [expires, setExpires] = useState(inDays(7));
  const [outsideEu, setOutsideEu] = useState(false);
  const granting = useSubmission();
  const { issues, error, setError, saved, setSaved, busy } = granting;

  const {
    data,
    error: loadError,
    reload,
  } = useLoad(async () => {
    const grants = (await api.GET('/v1/support/grants')).data?.items ?? [];
    // Each use support made is in the audit log (written before anything was returned): read them beside their grant.
    const uses = new Map<string, Use[]>();
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const { data: entries } = await api.GET('/v1/audit', {
        params: { query: { action: 'support.read', limit: '200', ...(cursor && { cursor }) } },
      });
      for (const entry of entries?.items ?? []) {
        const grant = String(entry.details?.grant ?? '');
        uses.set(grant, [
          ...(uses.get(grant) ?? []),
          { at: entry.at, scope: String(entry.details?.scope ?? ''), location: String(entry.details?.location ?? '') },
        ]);
      }
      cursor = entries?.nextCursor;
      if (!cursor) break;
    }
    return { grants, uses };
  }, [api]);

  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  async function grant(event: FormEvent) {
    event.preventDefault();
    // The expiry is the end of the chosen day, in the admin's own time zone.
    const expiresAt = expires ? new Date(`${expires}T23:59:00`).toISOString() : '';
    const body = { ticketId: ticketId.trim(), scopes, expiresAt, allowOutsideEu: outsideEu };
    await granting.submit(grantBody, body, async (checked, idempotencyKey) => {
      await api.POST('/v1/support/grants', {
        params: { header: { 'Idempotency-Key': idempotencyKey } },
        body: checked,
      });
      setTicketId('');
      await reload();
      return t('admin.support.granted', { ticket: checked.ticketId });
    });
  }

  async function revoke(id: string, ticket: string) {
    setSaved(undefined);
    setError(undefined);
    try {
      await api.DELETE('/v1/support/grants/{grantId}', { params: { path: { grantId: id } } });
      setSaved(t('admin.support.revoked', { ticket }));
      await reload();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section aria-labelledby="support-title">
      <h1 id="support-title">{t('admin.support.title')}</h1>
      <p>{t('admin.support.intro')}</p>
      <Problem error={error} onRetry={() => void reload()} />
      <Saved text={saved} />
      <form onSubmit={(e) => void grant(e)} noValidate className="narrow" aria-labelledby="grant-title">
        <h2 id="grant-title">{t('admin.support.grantTitle')}</h2>
        <Field label={t('admin.support.ticket')} hint={t('admin.support.ticketHint')} issue={issueOf(issues, 'ticketId')}>
          {(props) => <input {...props} name="ticketId" value={ticketId} onChange={(e) => setTicketId(e.target.value)} />}
        </Field>
        <fieldset aria-describedby={issueOf(issues, 'scopes') ? 'scopes-error' : undefined}>
          <legend>{t('admin.support.scopes')}</legend>
          {SUPPORT_SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
              />
              {t(scopeKey(scope))}
            </label>
          ))}
          {issueOf(issues, 'scopes') ? (
            <small id="scopes-error" className="field-error">
              {issueOf(issues, 'scopes')}
            </small>
          ) : null}
        </fieldset>
        <Field label={t('admin.support.expires')} hint={t('admin.support.expiresHint')} issue={issueOf(issues, 'expiresAt')}>
          {(props) => (
            <input {...props} name="expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
          )}
        </Field>
        <label className="check">
          <input type="checkbox" name="allowOutsideEu" checked={outsideEu} onChange={(e) => setOutsideEu(e.target.checked)} />
          {t('admin.support.outsideEu')}
        </label>
        <p className="muted">{outsideEu ? t('admin.support.outsideEuOn') : t('admin.support.euOnly')}</p>
        <button type="submit" className="primary" disabled={busy}>
          {t('admin.support.grant')}
        </button>
      </form>

      <h2 id="grants-title">{t('admin.support.listTitle')}</h2>
      {!data ? (
        loadError ? (
          <Problem error={loadError} onRetry={() => void reload()} />
        ) : (
          <Loading />
        )
      ) : data.grants.length === 0 ? (
        <p>{t('admin.support.none')}</p>
      ) : (
        <ul className="cards" aria-labelledby="grants-title">
          {data.grants.map((g) => {
            const live = !g.revoked && Date.parse(g.expiresAt) > Date.now();
            const uses = data.uses.get(g.id) ?? [];
            return (
              <li
                key={g.id}
                className="card"
                data-grant={g.id}
                aria-label={t('admin.support.ticketNamed', { ticket: g.ticketId })}
              >
                <p>
                  <strong>{t('admin.support.ticketNamed', { ticket: g.ticketId })}</strong>{' '}
                  <span className="badge">
                    {g.revoked
                      ? t('admin.support.stateRevoked')
                      : live
                        ? t('admin.support.stateLive')
                        : t('admin.support.stateExpired')}
                  </span>
                </p>
                <p>
                  {g.scopes.map((s) => t(scopeKey(s))).join(', ')} ·{' '}
                  {t('admin.support.until', { when: when.format(new Date(g.expiresAt)) })} ·{' '}
                  {g.allowOutsideEu ? t('admin.support.outsideEuShort') : t('admin.support.euOnlyShort')}
                </p>
                <h3>{t('admin.support.uses', { count: uses.length })}</h3>
                {uses.length ? (
                  <ul className="plain">
                    {uses.map((u, i) => (
                      <li key={i}>
                        <time dateTime={u.at}>{when.format(new Date(u.at))}</time> — {t(scopeKey(u.scope))} (
                        {u.location === 'outside-eu' ? t('admin.support.fromOutsideEu') : t('admin.support.fromEu')})
                      </li>
                    ))}
                  </ul>
                ) : null}
                {live ? (
                  <button type="button" className="danger" onClick={() => void revoke(g.id, g.ticketId)}>
                    {t('admin.support.revoke', { ticket: g.ticketId })}
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
