import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { findOrganisation, lastOrganisation, OrganisationNotFound } from '../org';
import { LanguageSwitch } from '../ui/language-switch';
import { ErrorNotice } from '../ui/status';

/** Where someone starts: which organisation they belong to decides the home site and the sign-in. */
export function OrganisationPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [name, setName] = useState(lastOrganisation() ?? '');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const org = await findOrganisation(name);
      if (!org.signIn) throw new Error(t('org.noSignIn'));
      await navigate(`/${org.slug}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="page narrow">
      <header className="top-bar">
        <span className="brand">{t('app.name')}</span>
        <LanguageSwitch />
      </header>
      <h1>{t('org.title')}</h1>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label htmlFor="org">{t('org.label')}</label>
        <input
          id="org"
          name="organisation"
          required
          autoComplete="organization"
          aria-describedby="org-hint"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <small id="org-hint">{t('org.hint')}</small>
        <button type="submit" disabled={busy}>
          {t('org.continue')}
        </button>
      </form>
      {error instanceof OrganisationNotFound ? (
        <p role="alert">{t('org.notFound', { name })}</p>
      ) : error ? (
        <ErrorNotice error={error} />
      ) : null}
    </main>
  );
}
