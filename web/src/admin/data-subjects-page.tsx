import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { dataSubjectBody } from '../../../lambdas/api/schemas/data-subjects.js';
import type { components } from '../api/schema';
import { useOrgSession } from '../org-context';
import { saveBlob } from '../pages/download';
import { check, Field, issueOf, Problem, problemIssues, type FieldIssues } from './form-kit';

type Export = components['schemas']['SubjectExport'];
type Erasure = components['schemas']['ErasureReport'];
type Step = { kind: 'idle' } | { kind: 'confirm'; what: 'export' | 'erase' } | { kind: 'running'; what: 'export' | 'erase' };

/** The categories of an export with how many records each holds: the human-readable summary beside the JSON. */
function summaryOf(document: Export): [string, number][] {
  return Object.entries(document)
    .filter(([, value]) => Array.isArray(value))
    .map(([key, value]) => [key, (value as unknown[]).length] as [string, number]);
}

/** Data-subject requests: export everything held about a user (JSON, with a summary) or erase it (with the receipt); both confirm first. */
export default function DataSubjectsPage() {
  const { api } = useOrgSession();
  const { t, i18n } = useTranslation();
  const [subject, setSubject] = useState('');
  const [email, setEmail] = useState('');
  const [issues, setIssues] = useState<FieldIssues>({});
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [error, setError] = useState<unknown>();
  const [exported, setExported] = useState<Export>();
  const [receipt, setReceipt] = useState<Erasure>();
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium' });

  const body = () => ({ subject: subject.trim(), ...(email.trim() && { email: email.trim() }) });

  function ask(what: 'export' | 'erase', event?: FormEvent) {
    event?.preventDefault();
    setError(undefined);
    const checked = check(dataSubjectBody, body());
    if (!checked.ok) return setIssues(checked.issues);
    setIssues({});
    setStep({ kind: 'confirm', what });
  }

  async function run(what: 'export' | 'erase') {
    const checked = check(dataSubjectBody, body());
    if (!checked.ok) return setIssues(checked.issues);
    setStep({ kind: 'running', what });
    setError(undefined);
    try {
      if (what === 'export') {
        setReceipt(undefined);
        const { data } = await api.POST('/v1/data-subjects/export', { body: checked.data });
        if (data) {
          setExported(data);
          saveBlob(
            new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' }),
            `data-subject-export-${data.generatedAt.slice(0, 10)}.json`,
          );
        }
      } else {
        setExported(undefined);
        const { data } = await api.POST('/v1/data-subjects/erase', { body: checked.data });
        setReceipt(data);
      }
    } catch (caught) {
      setError(caught);
      setIssues(problemIssues(caught));
    } finally {
      setStep({ kind: 'idle' });
    }
  }

  return (
    <section aria-labelledby="dsr-title">
      <h1 id="dsr-title">{t('admin.dsr.title')}</h1>
      <p>{t('admin.dsr.intro')}</p>
      <form onSubmit={(e) => ask('export', e)} noValidate className="narrow">
        <Field label={t('admin.dsr.subject')} hint={t('admin.dsr.subjectHint')} issue={issueOf(issues, 'subject')}>
          {(props) => <input {...props} name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} />}
        </Field>
        <Field label={t('admin.dsr.email')} hint={t('admin.dsr.emailHint')} issue={issueOf(issues, 'email')}>
          {(props) => <input {...props} name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={step.kind !== 'idle'}>
            {t('admin.dsr.export')}
          </button>
          <button type="button" className="danger" disabled={step.kind !== 'idle'} onClick={() => ask('erase')}>
            {t('admin.dsr.erase')}
          </button>
        </div>
      </form>

      {step.kind === 'confirm' ? (
        <div role="alertdialog" aria-labelledby="dsr-confirm" className="card confirm">
          <p id="dsr-confirm">
            {step.what === 'export'
              ? t('admin.dsr.confirmExport', { subject: subject.trim() })
              : t('admin.dsr.confirmErase', { subject: subject.trim() })}
          </p>
          <div className="actions">
            <button type="button" className={step.what === 'erase' ? 'danger' : 'primary'} onClick={() => void run(step.what)}>
              {step.what === 'export' ? t('admin.dsr.confirmExportButton') : t('admin.dsr.confirmEraseButton')}
            </button>
            <button type="button" onClick={() => setStep({ kind: 'idle' })}>
              {t('admin.cancel')}
            </button>
          </div>
        </div>
      ) : null}
      {step.kind === 'running' ? (
        <p role="status" aria-live="polite">
          <progress aria-label={t(step.what === 'export' ? 'admin.dsr.exporting' : 'admin.dsr.erasing')} />{' '}
          {t(step.what === 'export' ? 'admin.dsr.exporting' : 'admin.dsr.erasing')}
        </p>
      ) : null}
      <Problem error={error} />

      {exported ? (
        <section aria-labelledby="export-title" className="card" data-testid="export-summary">
          <h2 id="export-title">{t('admin.dsr.exportTitle')}</h2>
          <p>
            {t('admin.dsr.generated', { when: when.format(new Date(exported.generatedAt)), site: exported.site })}
            {exported.erasure ? ` ${t('admin.dsr.erasedBefore')}` : ''}
          </p>
          <table>
            <caption>{t('admin.dsr.summary')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.dsr.category')}</th>
                <th scope="col">{t('admin.dsr.records')}</th>
              </tr>
            </thead>
            <tbody>
              {summaryOf(exported).map(([key, count]) => (
                <tr key={key} data-category={key}>
                  <th scope="row">{t(`admin.dsr.kind.${key}`, { defaultValue: key })}</th>
                  <td>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {t('admin.dsr.preferences')}:{' '}
            {exported.preferences
              ? `${t('admin.prefs.productNews')}: ${exported.preferences.productNews ? t('admin.yes') : t('admin.no')}, ${t('admin.prefs.marketing')}: ${exported.preferences.marketing ? t('admin.yes') : t('admin.no')}`
              : '—'}
          </p>
          <button
            type="button"
            onClick={() =>
              saveBlob(
                new Blob([`${JSON.stringify(exported, null, 2)}\n`], { type: 'application/json' }),
                `data-subject-export-${exported.generatedAt.slice(0, 10)}.json`,
              )
            }
          >
            {t('admin.dsr.downloadAgain')}
          </button>
        </section>
      ) : null}

      {receipt ? (
        <section aria-labelledby="receipt-title" className="card" data-testid="erasure-receipt">
          <h2 id="receipt-title">{t('admin.dsr.receiptTitle')}</h2>
          <p>
            {t('admin.dsr.completed', { when: when.format(new Date(receipt.completedAt)) })}{' '}
            {receipt.remaining === 0 ? t('admin.dsr.nothingRemains') : t('admin.dsr.remaining', { count: receipt.remaining })}
          </p>
          <table>
            <caption>{t('admin.dsr.erasedCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.dsr.category')}</th>
                <th scope="col">{t('admin.dsr.records')}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(receipt.erased).map(([key, count]) => (
                <tr key={key}>
                  <th scope="row">{t(`admin.dsr.kind.${key}`, { defaultValue: key })}</th>
                  <td>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {receipt.notes.length ? (
            <>
              <h3>{t('admin.dsr.notes')}</h3>
              <ul>
                {receipt.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            </>
          ) : null}
          <button
            type="button"
            onClick={() =>
              saveBlob(
                new Blob([`${JSON.stringify(receipt, null, 2)}\n`], { type: 'application/json' }),
                `erasure-receipt-${receipt.completedAt.slice(0, 10)}.json`,
              )
            }
          >
            {t('admin.dsr.downloadReceipt')}
          </button>
        </section>
      ) : null}
    </section>
  );
}
