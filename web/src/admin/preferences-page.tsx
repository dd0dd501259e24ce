import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { preferencesBody } from '../../../lambdas/api/schemas/privacy.js';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { check, Problem, Saved, useLoad } from './form-kit';
import './admin.css';

const CHOICES = ['productNews', 'marketing'] as const;

/** Every user's communication preferences: product news and marketing, off until they opt in; each change saved at once. */
export default function PreferencesPage() {
  const { api } = useOrgSession();
  const { t } = useTranslation();
  const { data, setData, error: loadError, reload } = useLoad(async () => (await api.GET('/v1/me/preferences')).data, [api]);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();

  async function change(choice: (typeof CHOICES)[number], on: boolean) {
    setError(undefined);
    setSaved(undefined);
    const checked = check(preferencesBody, { [choice]: on });
    if (!checked.ok || !data) return;
    const before = data;
    // Shown at once, put back if the API refuses it.
    setData({ ...data, [choice]: on });
    try {
      const { data: after } = await api.PATCH('/v1/me/preferences', { body: checked.data });
      if (after) setData(after);
      setSaved(t('admin.saved'));
    } catch (caught) {
      setData(before);
      setError(caught);
    }
  }

  if (!data) return loadError ? <Problem error={loadError} onRetry={() => void reload()} /> : <Loading />;
  return (
    <section aria-labelledby="prefs-title" className="narrow">
      <h1 id="prefs-title">{t('admin.prefs.title')}</h1>
      <p>{t('admin.prefs.intro')}</p>
      <Problem error={error} onRetry={() => void reload()} />
      <Saved text={saved} />
      <fieldset>
        <legend>{t('admin.prefs.legend')}</legend>
        {CHOICES.map((choice) => (
          <label key={choice} className="check">
            <input type="checkbox" name={choice} checked={data[choice]} onChange={(e) => void change(choice, e.target.checked)} />
            {t(`admin.prefs.${choice}`)}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
