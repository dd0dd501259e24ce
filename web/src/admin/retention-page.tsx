import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { retentionPatchBody } from '../../../lambdas/api/schemas/settings.js';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { check, Field, issueOf, Problem, problemIssues, Saved, useLoad, type FieldIssues } from './form-kit';

const CLASSES = ['meetings', 'attendance', 'lobbyTickets', 'abuseReports', 'audit'] as const;
type RetentionClass = (typeof CLASSES)[number];

/** The retention period of each data class, within its bounds; saved with If-Match, so another admin's change is not overwritten. */
export default function RetentionPage() {
  const { api } = useOrgSession();
  const { t } = useTranslation();
  const { data, setData, error: loadError, reload } = useLoad(async () => (await api.GET('/v1/settings/retention')).data, [api]);
  const [draft, setDraft] = useState<Record<RetentionClass, string>>();
  const [issues, setIssues] = useState<FieldIssues>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (data) setDraft(Object.fromEntries(CLASSES.map((c) => [c, String(data.periods[c])])) as Record<RetentionClass, string>);
  }, [data]);

  if (!data || !draft) return loadError ? <Problem error={loadError} onRetry={() => void reload()} /> : <Loading />;
  const current = data;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setSaved(undefined);
    setError(undefined);
    const change: Record<string, number> = {};
    const local: Record<string, string> = {};
    for (const c of CLASSES) {
      const days = Number(draft[c]);
      if (draft[c].trim() === '' || !Number.isInteger(days)) {
        local[c] = t('admin.retention.wholeDays');
        continue;
      }
      const { min, max } = current.bounds[c];
      if (days < min || days > max) local[c] = t('admin.retention.outOfBounds', { min, max });
      if (days !== current.periods[c]) change[c] = days;
    }
    const checked = check(retentionPatchBody, change);
    const found = { ...(checked.ok ? {} : checked.issues), ...local };
    setIssues(found);
    if (Object.keys(found).length > 0 || !checked.ok) return;
    setBusy(true);
    try {
      const { data: after } = await api.PATCH('/v1/settings/retention', {
        params: { header: { 'If-Match': current.etag } },
        body: checked.data,
      });
      if (after) setData(after);
      setSaved(t('admin.saved'));
    } catch (caught) {
      setError(caught);
      setIssues(problemIssues(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="retention-title" className="narrow">
      <h1 id="retention-title">{t('admin.retention.title')}</h1>
      <p>{t('admin.retention.intro')}</p>
      <p className="notice">{t('admin.retention.appliesTo')}</p>
      <Problem error={error} onReload={() => void reload()} />
      <Saved text={saved} />
      <form onSubmit={(e) => void submit(e)} noValidate>
        {CLASSES.map((c) => {
          const b = current.bounds[c];
          return (
            <Field
              key={c}
              label={t('admin.retention.field', { name: t(`admin.class.${c}`) })}
              hint={`${t(`admin.retention.about.${c}`)} ${t('admin.retention.bounds', { min: b.min, max: b.max, default: b.default })}`}
              issue={issueOf(issues, c)}
            >
              {(props) => (
                <input
                  {...props}
                  name={c}
                  type="number"
                  inputMode="numeric"
                  min={b.min}
                  max={b.max}
                  value={draft[c]}
                  onChange={(e) => setDraft({ ...draft, [c]: e.target.value })}
                />
              )}
            </Field>
          );
        })}
        {issues[''] ? <p className="field-error">{issues['']}</p> : null}
        <button type="submit" className="primary" disabled={busy}>
          {t('admin.save')}
        </button>
      </form>
    </section>
  );
}
