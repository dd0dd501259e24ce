import type { User } from 'oidc-client-ts';
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useParams } from 'react-router';
import { apiClient, type ApiClient } from './api/client';
import { currentUser, signIn, userManager } from './auth/session';
import { isAdmin } from './admin/roles';
import { findOrganisation, OrganisationNotFound, rememberOrganisation, type Organisation } from './org';
import { LanguageSwitch } from './ui/language-switch';
import { ErrorNotice, Loading } from './ui/status';

export interface OrgSession {
  readonly org: Organisation;
  readonly user: User;
  /** The home site's API, with the user's access token. */
  readonly api: ApiClient;
  readonly displayName: string;
}

const OrgSessionContext = createContext<OrgSession | undefined>(undefined);

export function useOrgSession(): OrgSession {
  const session = useContext(OrgSessionContext);
  if (!session) throw new Error('useOrgSession outside an organisation page');
  return session;
}

type State =
  | { kind: 'loading' }
  | { kind: 'redirecting' }
  | { kind: 'error'; error: unknown }
  | { kind: 'ready'; org: Organisation; user: User };

/** Every page of an organisation: finds its home site, makes sure the user is signed in there, and frames the page. */
export function OrgLayout() {
  const { slug = '' } = useParams();
  const location = useLocation();
  const { t } = useTranslation();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const org = await findOrganisation(slug);
        const user = await currentUser(org);
        if (cancelled) return;
        if (!user) {
          setState({ kind: 'redirecting' });
          await signIn(org, location.pathname + location.search);
          return;
        }
        rememberOrganisation(org.slug);
        setState({ kind: 'ready', org, user });
      } catch (error) {
        if (!cancelled) setState({ kind: 'error', error });
      }
    })();
    return () => {
      cancelled = true;
    };
    // The page path is read only to come back to it after sign-in, so it is not a dependency.
  }, [slug, attempt]);

  const session = useMemo<OrgSession | undefined>(() => {
    if (state.kind !== 'ready') return undefined;
    const { org, user } = state;
    const profile = user.profile;
    return {
      org,
      user,
      api: apiClient(org.apiUrl, async () => (await currentUser(org))?.access_token),
      displayName: String(profile.name ?? profile.preferred_username ?? profile.email ?? profile.sub),
    };
  }, [state]);

  if (state.kind === 'error') {
    const notFound = state.error instanceof OrganisationNotFound;
    return (
      <main id="main" className="page narrow">
        {notFound ? (
          <p role="alert">{t('org.notFound', { name: slug })}</p>
        ) : (
          <ErrorNotice error={state.error} onRetry={() => setAttempt((n) => n + 1)} />
        )}
        <Link to="/">{t('org.title')}</Link>
      </main>
    );
  }
  if (state.kind === 'redirecting')
    return (
      <p role="status" className="status">
        {t('signin.redirecting')}
      </p>
    );
  if (!session) return <Loading />;

  return (
    <OrgSessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="top-bar">
        <Link to={`/${session.org.slug}`} className="brand">
          {t('app.name')} · {session.org.slug}
        </Link>
        <nav aria-label={t('admin.sections')} className="sections">
          {isAdmin(session.user) ? <Link to={`/${session.org.slug}/admin`}>{t('admin.navLink')}</Link> : null}
          <Link to={`/${session.org.slug}/preferences`}>{t('admin.prefsLink')}</Link>
        </nav>
        <span className="who">{t('app.signedInAs', { name: session.displayName })}</span>
        <LanguageSwitch />
        <button type="button" onClick={() => void userManager(session.org).signoutRedirect()}>
          {t('app.signOut')}
        </button>
      </header>
      <main id="main" className="page">
        <Outlet />
      </main>
    </OrgSessionContext.Provider>
  );
}
