import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { resolveBody } from '../../../lambdas/api/schemas/reports.js';
import { REPORT_OUTCOMES } from '../../../lambdas/domain/abuse-reports.js';
import type { components } from '../api/schema';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { check, Field, issueOf, Problem, problemIssues, Saved, useLoad, type FieldIssues } from './form-kit';

type Report = components['schemas']['AbuseReport'];

/** A clip as the browser plays it: an object URL of its bytes, released when it is no longer shown. */
function useClipUrl(clip: { contentType: string; data: string } | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!clip) return setUrl(undefined);
    const bytes = Uint8Array.from(atob(clip.data), (c) => c.charCodeAt(0));
    const made = URL.createObjectURL(new Blob([bytes], { type: clip.contentType }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [clip]);
  return url;
}

function ReportDetail({ id, onResolved }: { id: string; onResolved: () => void }) {
  const { api } = useOrgSession();
  const { t, i18n } = useTranslation();
  const {
    data: report,
    setData,
    error: loadError,
    reload,
  } = useLoad(async () => (await api.GET('/v1/reports/{reportId}', { params: { path: { reportId: id } } })).data, [api, id]);
  const [clip, setClip] = useState<{ contentType: string; data: string }>();
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [issues, setIssues] = useState<FieldIssues>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const clipUrl = useClipUrl(clip);
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  if (!report) return loadError ? <Problem error={loadError} onRetry={() => void reload()} /> : <Loading />;

  async function play() {
    setError(undefined);
    try {
      const { data } = await api.GET('/v1/reports/{reportId}/clip', { params: { path: { reportId: id } } });
      setClip(data);
    } catch (caught) {
      setError(caught);
    }
  }

  async function resolve(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const checked = check(resolveBody, { outcome, ...(note.trim() && { note: note.trim() }) });
    if (!checked.ok) return setIssues(checked.issues);
    setIssues({});
    try {
      const { data } = await api.POST('/v1/reports/{reportId}/resolve', {
        params: { path: { reportId: id } },
        body: checked.data,
      });
      if (data) setData(data as Report);
      setSaved(t('admin.reports.resolvedNotice'));
      onResolved();
    } catch (caught) {
      setError(caught);
      setIssues(problemIssues(caught));
    }
  }

  const kind = clip?.contentType.split('/')[0];
  return (
    <section aria-labelledby="report-title" className="card" data-report={report.id}>
      <h2 id="report-title">{t('admin.reports.detailTitle', { reason: t(`admin.reports.reason.${report.reason}`) })}</h2>
      <dl className="facts">
        <dt>{t('admin.reports.received')}</dt>
        <dd>{when.format(new Date(report.createdAt))}</dd>
        <dt>{t('admin.reports.meeting')}</dt>
        <dd>
          <code>{report.meetingId}</code>
        </dd>
        <dt>{t('admin.reports.about')}</dt>
        <dd>{report.participantId ? <code>{report.participantId}</code> : '—'}</dd>
        <dt>{t('admin.reports.details')}</dt>
        <dd className="prewrap">{report.details ?? '—'}</dd>
        <dt>{t('admin.reports.status')}</dt>
        <dd>
          {report.status === 'resolved'
            ? t('admin.reports.resolvedAs', { outcome: t(`admin.reports.outcome.${report.outcome ?? 'no-action'}`) })
            : t('admin.reports.open')}
        </dd>
      </dl>
      <Saved text={saved} />
      <Problem error={error} />
      {report.clip ? (
        <div className="clip">
          <p className="notice">{t('admin.reports.clipAudited')}</p>
          {clipUrl ? (
            kind === 'audio' ? (
              <audio controls autoPlay src={clipUrl} aria-label={t('admin.reports.clip')} />
            ) : kind === 'video' ? (
              <video controls autoPlay src={clipUrl} aria-label={t('admin.reports.clip')} />
            ) : (
              <img src={clipUrl} alt={t('admin.reports.clip')} />
            )
          ) : (
            <button type="button" onClick={() => void play()}>
              {t('admin.reports.play', { size: Math.ceil(report.clip.bytes / 1024) })}
            </button>
          )}
        </div>
      ) : (
        <p className="muted">{t('admin.reports.noClip')}</p>
      )}
      {report.status === 'open' ? (
        <form onSubmit={(e) => void resolve(e)} noValidate aria-label={t('admin.reports.resolveTitle')}>
          <h3>{t('admin.reports.resolveTitle')}</h3>
          <Field label={t('admin.reports.outcomeLabel')} issue={issueOf(issues, 'outcome')}>
            {(props) => (
              <select {...props} name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
                <option value="">{t('admin.reports.chooseOutcome')}</option>
                {REPORT_OUTCOMES.map((o) => (
                  <option key={o} value={o}>
                    {t(`admin.reports.outcome.${o}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('admin.reports.note')} issue={issueOf(issues, 'note')}>
            {(props) => <textarea {...props} name="note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
          <button type="submit" className="primary">
            {t('admin.reports.resolve')}
          </button>
        </form>
      ) : null}
    </section>
  );
}

/** Abuse reports: list, read, play the clip (an audited read), resolve with an outcome. The reporter is never shown. */
export default function ReportsPage() {
  const { api } = useOrgSession();
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<'open' | 'resolved' | ''>('open');
  const [selected, setSelected] = useState<string>();
  const { data, error, reload } = useLoad(
    async () => (await api.GET('/v1/reports', { params: { query: { ...(status && { status }), limit: '50' } } })).data,
    [api, status],
  );
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{t('admin.reports.title')}</h1>
      <p>{t('admin.reports.intro')}</p>
      <Field label={t('admin.reports.show')}>
        {(props) => (
          <select {...props} value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            <option value="open">{t('admin.reports.showOpen')}</option>
            <option value="resolved">{t('admin.reports.showResolved')}</option>
            <option value="">{t('admin.reports.showAll')}</option>
          </select>
        )}
      </Field>
      {!data ? (
        error ? (
          <Problem error={error} onRetry={() => void reload()} />
        ) : (
          <Loading />
        )
      ) : data.items.length === 0 ? (
        <p>{t('admin.reports.none')}</p>
      ) : (
        <ul className="cards">
          {data.items.map((r) => (
            <li key={r.id} className="card row" data-report={r.id}>
              <span>
                <time dateTime={r.createdAt}>{when.format(new Date(r.createdAt))}</time> —{' '}
                <strong>{t(`admin.reports.reason.${r.reason}`)}</strong>
                {r.clip ? <span className="badge">{t('admin.reports.hasClip')}</span> : null}{' '}
                <span className="badge">{r.status === 'open' ? t('admin.reports.open') : t('admin.reports.resolved')}</span>
              </span>
              <button type="button" onClick={() => setSelected(r.id)} aria-pressed={selected === r.id}>
                {t('admin.reports.read')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected ? <ReportDetail key={selected} id={selected} onResolved={() => void reload()} /> : null}
    </section>
  );
}
