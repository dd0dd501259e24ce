import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { auditQuery } from '../../../lambdas/api/operations/audit.js';
// The standalone checker (node:crypto only), served by the app as a file of its own rather than copied into it.
import verifyScriptUrl from '../../../scripts/verify-audit-head.mjs?url';
import type { components } from '../api/schema';
import { useOrgSession } from '../org-context';
import { saveBlob } from '../pages/download';
import { Loading } from '../ui/status';
import { check, Field, issueOf, Problem, type FieldIssues } from './form-kit';

type AuditEntry = components['schemas']['AuditEntry'];
type Verdict = components['schemas']['AuditVerdict'];
type SignedHead = NonNullable<Verdict['signedHead']>;

const ACTORS = ['operator', 'user', 'system'] as const;

/** What a head's signature covers: canonical JSON (keys sorted) of its fields, as scripts/verify-audit-head.mjs builds it. */
export function statementOf(head: SignedHead): string {
  return JSON.stringify({
    at: head.at,
    hash: head.hash,
    purpose: 'meetplane-audit-head/v1',
    seq: head.seq,
    signedAt: head.signedAt,
    site: head.site,
    tenantId: head.tenantId,
  });
}

const json = (value: unknown) => new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });

/** The hash-chained audit log: filtered, paged; verified on request, with what an admin needs to check a signed head without us. */
export default function AuditPage() {
  const { api } = useOrgSession();
  const { t, i18n } = useTranslation();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [issues, setIssues] = useState<FieldIssues>({});
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [cursors, setCursors] = useState<string[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [verdict, setVerdict] = useState<Verdict>();
  const [verifying, setVerifying] = useState(false);
  const [filter, setFilter] = useState<{ actor?: string; action?: string }>({});
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium' });

  async function load(query: { actor?: string; action?: string }, cursor?: string) {
    setError(undefined);
    try {
      const { data } = await api.GET('/v1/audit', {
        params: {
          query: {
            limit: '25',
            ...(cursor && { cursor }),
            ...(query.actor && { actor: query.actor as (typeof ACTORS)[number] }),
            ...(query.action && { action: query.action }),
          },
        },
      });
      setEntries(data?.items ?? []);
      setNext(data?.nextCursor);
    } catch (caught) {
      setError(caught);
    }
  }

  // The first page, once per session; the filter and the page buttons load the others.
  useEffect(() => void load({}), [api]);

  function applyFilter(event: FormEvent) {
    event.preventDefault();
    const query = { ...(actor && { actor }), ...(action.trim() && { action: action.trim() }) };
    const checked = check(auditQuery, query);
    if (!checked.ok) return setIssues(checked.issues);
    setIssues({});
    setFilter(query);
    setCursors([]);
    void load(query);
  }

  async function verify() {
    setVerifying(true);
    setVerdict(undefined);
    setError(undefined);
    try {
      setVerdict((await api.GET('/v1/audit/verify')).data);
    } catch (caught) {
      setError(caught);
    } finally {
      setVerifying(false);
    }
  }

  async function signNow() {
    setError(undefined);
    try {
      await api.POST('/v1/audit/heads');
      await verify();
    } catch (caught) {
      setError(caught);
    }
  }

  async function downloadKey(kind: 'json' | 'pem') {
    try {
      const { data } = await api.GET('/v1/audit/signing-key');
      if (!data) return;
      if (kind === 'json') saveBlob(json(data), 'signing-key.json');
      else saveBlob(new Blob([data.publicKeyPem], { type: 'application/x-pem-file' }), 'signing-key.pem');
    } catch (caught) {
      setError(caught);
    }
  }

  const head = verdict?.signedHead;
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('admin.audit.title')}</h1>
      <p>{t('admin.audit.intro')}</p>
      <Problem error={error} />

      <section aria-labelledby="verify-title" className="card">
        <h2 id="verify-title">{t('admin.audit.verifyTitle')}</h2>
        <div className="actions">
          <button type="button" className="primary" onClick={() => void verify()} disabled={verifying}>
            {t('admin.audit.verify')}
          </button>
          <button type="button" onClick={() => void signNow()}>
            {t('admin.audit.signNow')}
          </button>
        </div>
        {verifying ? <Loading /> : null}
        {verdict ? (
          <div role="status" data-testid="verdict">
            {verdict.intact ? (
              <p className="notice">{t('admin.audit.intact', { count: verdict.entries })}</p>
            ) : (
              <div className="notice notice-error">
                <p>{t('admin.audit.broken', { count: verdict.breaks.length })}</p>
                <ul>
                  {verdict.breaks.map((b, i) => (
                    <li key={i} data-break={b.kind}>
                      <strong>{t(`admin.audit.break.${b.kind}`)}</strong> —{' '}
                      {b.lastSeq === undefined
                        ? t('admin.audit.atEntry', { seq: b.seq })
                        : t('admin.audit.atEntries', { seq: b.seq, last: b.lastSeq })}
                      : {b.problem}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {head ? (
              <dl className="facts">
                <dt>{t('admin.audit.headEntry')}</dt>
                <dd>{head.seq}</dd>
                <dt>{t('admin.audit.headHash')}</dt>
                <dd>
                  <code className="wrap">{head.hash}</code>
                </dd>
                <dt>{t('admin.audit.headSigned')}</dt>
                <dd>{when.format(new Date(head.signedAt))}</dd>
                <dt>{t('admin.audit.headKey')}</dt>
                <dd>
                  <code className="wrap">{head.keyId}</code>
                </dd>
                <dt>{t('admin.audit.notYetSigned')}</dt>
                <dd>{verdict.notYetSigned}</dd>
              </dl>
            ) : (
              <p>{t('admin.audit.noHead')}</p>
            )}
          </div>
        ) : null}
      </section>

      <section aria-labelledby="independent-title" className="card">
        <h2 id="independent-title">{t('admin.audit.independentTitle')}</h2>
        <p>{t('admin.audit.independentIntro')}</p>
        <ol>
          <li>
            {t('admin.audit.step1')}{' '}
            <button type="button" disabled={!head} onClick={() => head && saveBlob(json(head), 'head.json')}>
              {t('admin.audit.downloadHead')}
            </button>
          </li>
          <li>
            {t('admin.audit.step2')}{' '}
            <button type="button" onClick={() => void downloadKey('json')}>
              {t('admin.audit.downloadKey')}
            </button>{' '}
            <button type="button" onClick={() => void downloadKey('pem')}>
              {t('admin.audit.downloadPem')}
            </button>
          </li>
          <li>
            {t('admin.audit.step3')}{' '}
            <a href={verifyScriptUrl} download="verify-audit-head.mjs" className="button">
              {t('admin.audit.downloadScript')}
            </a>
            <pre>
              <code>node verify-audit-head.mjs head.json signing-key.json</code>
            </pre>
          </li>
        </ol>
        <p>{t('admin.audit.openssl')}</p>
        <pre>
          <code>
            {head
              ? [
                  `printf '%s' '${statementOf(head)}' > statement.json`,
                  `printf '%s' '${head.signature}' | openssl base64 -d -A > signature.der`,
                  'openssl dgst -sha256 -verify signing-key.pem -signature signature.der statement.json',
                ].join('\n')
              : t('admin.audit.opensslNeedsHead')}
          </code>
        </pre>
      </section>

      <h2 id="entries-title">{t('admin.audit.entriesTitle')}</h2>
      <form onSubmit={applyFilter} className="row filters" noValidate aria-label={t('admin.audit.filter')}>
        <Field label={t('admin.audit.actorLabel')} issue={issueOf(issues, 'actor')}>
          {(props) => (
            <select {...props} name="actor" value={actor} onChange={(e) => setActor(e.target.value)}>
              <option value="">{t('admin.audit.anyActor')}</option>
              {ACTORS.map((a) => (
                <option key={a} value={a}>
                  {t(`admin.audit.actor.${a}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('admin.audit.actionLabel')} hint={t('admin.audit.actionHint')} issue={issueOf(issues, 'action')}>
          {(props) => <input {...props} name="action" value={action} onChange={(e) => setAction(e.target.value)} />}
        </Field>
        <button type="submit">{t('admin.audit.applyFilter')}</button>
      </form>
      {entries === undefined ? (
        error ? null : (
          <Loading />
        )
      ) : entries.length === 0 ? (
        <p>{t('admin.audit.noEntries')}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="entries-title">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('admin.audit.when')}</th>
                <th scope="col">{t('admin.audit.actorLabel')}</th>
                <th scope="col">{t('admin.audit.actionLabel')}</th>
                <th scope="col">{t('admin.audit.target')}</th>
                <th scope="col">{t('admin.audit.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq} data-seq={e.seq}>
                  <td>{e.seq}</td>
                  <td>
                    <time dateTime={e.at}>{when.format(new Date(e.at))}</time>
                  </td>
                  <td>{t(`admin.audit.actor.${e.actor.type}`)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <code className="wrap">{e.target}</code>
                  </td>
                  <td>
                    {e.reason}
                    {e.redacted ? <span className="badge">{t('admin.audit.redacted')}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        {cursors.length > 0 ? (
          <button
            type="button"
            onClick={() => {
              const previous = cursors.slice(0, -1);
              setCursors(previous);
              void load(filter, previous.at(-1));
            }}
          >
            {t('admin.audit.previous')}
          </button>
        ) : null}
        {next ? (
          <button
            type="button"
            onClick={() => {
              setCursors([...cursors, next]);
              void load(filter, next);
            }}
          >
            {t('admin.audit.next')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
