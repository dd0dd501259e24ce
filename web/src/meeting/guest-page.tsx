import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { apiClient } from '../api/client';
import { findOrganisation } from '../org';
import { LanguageSwitch } from '../ui/language-switch';
import { ErrorNotice } from '../ui/status';
import { MeetingFlow } from './meeting-flow';

interface GuestSession {
  readonly token: string;
  readonly meetingId: string;
  readonly apiUrl: string;
  readonly displayName: string;
}

/**
 * A guest's invitation link, `/{slug}/guest#{code}`: no account. The guest
 * says how to be shown, the code (from the fragment, so it never reaches a
 * server log) is redeemed once for a guest token, and the token is the bearer
 * for the same pre-join, waiting room and room as everyone's.
 */
export default function GuestPage() {
  const { slug = '' } = useParams();
  const { t } = useTranslation();
  const id = useId();
  const code = useMemo(() => decodeURIComponent(location.hash.replace(/^#/, '')), []);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [session, setSession] = useState<GuestSession>();
  const api = useMemo(() => session && apiClient(session.apiUrl, () => session.token), [session]);

  async function redeem(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const org = await findOrganisation(slug);
      const { data } = await apiClient(org.apiUrl, () => undefined).POST('/v1/guest-links/redeem', {
        body: { code, displayName: name.trim() },
      });
      if (!data) throw new Error('no answer');
      // The code is spent: take it out of the address bar and the history.
      history.replaceState(null, '', location.pathname);
      setSession({ token: data.token, meetingId: data.meetingId, apiUrl: org.apiUrl, displayName: name.trim() });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <header className="top-bar">
        <span className="brand">
          {t('app.name')} · {slug}
        </span>
        <LanguageSwitch />
      </header>
      <main id="main" className="page">
        {session && api ? (
          <MeetingFlow api={api} meetingId={session.meetingId} defaultName={session.displayName} nameEditable={false} isGuest />
        ) : (
          <section className="narrow" aria-labelledby={`${id}-title`}>
            <h1 id={`${id}-title`}>{t('guest.title')}</h1>
            {code ? (
              <form className="stack" onSubmit={(e) => void redeem(e)}>
                <p>{t('guest.intro')}</p>
                <label htmlFor={`${id}-name`}>{t('guest.name')}</label>
                <input
                  id={`${id}-name`}
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  maxLength={80}
                  required
                  autoComplete="name"
                />
                {error ? <ErrorNotice error={error} /> : null}
                <button type="submit" className="primary" disabled={busy}>
                  {t('guest.continue')}
                </button>
              </form>
            ) : (
              <p role="alert">{t('guest.noCode')}</p>
            )}
          </section>
        )}
      </main>
    </>
  );
}
