import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { userManager, type SignInState } from '../auth/session';
import { findOrganisation } from '../org';
import { ErrorNotice } from '../ui/status';

const STATE_PREFIX = 'meetplane.oidc.';

/** The identity provider sends the browser back here with a code; exchanging it (with the PKCE verifier) signs the user in. */
export function CallbackPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return; // a code can be exchanged once only
    started.current = true;
    void (async () => {
      try {
        const stateId = new URLSearchParams(location.search).get('state');
        const stored = stateId ? sessionStorage.getItem(`${STATE_PREFIX}${stateId}`) : null;
        const slug = stored ? ((JSON.parse(stored) as { data?: SignInState }).data?.slug ?? '') : '';
        if (!slug) throw new Error(t('signin.failed'));
        const org = await findOrganisation(slug);
        const user = await userManager(org).signinRedirectCallback();
        const state = user.state as SignInState | undefined;
        await navigate(state?.returnTo ?? `/${org.slug}`, { replace: true });
      } catch (caught) {
        setError(caught);
      }
    })();
  }, [navigate, t]);

  return (
    <main id="main" className="page narrow">
      {error ? (
        <>
          <h1>{t('signin.failed')}</h1>
          <ErrorNotice error={error} />
          <Link to="/">{t('org.title')}</Link>
        </>
      ) : (
        <p role="status">{t('signin.completing')}</p>
      )}
    </main>
  );
}
