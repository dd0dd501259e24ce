import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Route, Routes } from 'react-router';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { isAdmin } from './roles';
import './admin.css';

// Each page loads when it is opened: none of them is in the first load.
const OverviewPage = lazy(() => import('./overview-page'));
const RetentionPage = lazy(() => import('./retention-page'));
const SupportPage = lazy(() => import('./support-page'));
const AuditPage = lazy(() => import('./audit-page'));
const DataSubjectsPage = lazy(() => import('./data-subjects-page'));
const ReportsPage = lazy(() => import('./reports-page'));
const SecurityPage = lazy(() => import('./security-page'));
const MailPage = lazy(() => import('./mail-page'));

export const ADMIN_PAGES = [
  { path: '', key: 'admin.nav.overview' },
  { path: 'retention', key: 'admin.nav.retention' },
  { path: 'support', key: 'admin.nav.support' },
  { path: 'audit', key: 'admin.nav.audit' },
  { path: 'data-subjects', key: 'admin.nav.dataSubjects' },
  { path: 'reports', key: 'admin.nav.reports' },
  { path: 'security', key: 'admin.nav.security' },
  { path: 'mail', key: 'admin.nav.mail' },
] as const;

/** The organisation's administration: shown to its admins only (the API refuses everyone else whatever the app shows). */
export default function AdminSection() {
  const { org, user } = useOrgSession();
  const { t } = useTranslation();
  if (!isAdmin(user)) {
    return (
      <section aria-labelledby="admin-denied">
        <h1 id="admin-denied">{t('admin.title')}</h1>
        <p role="alert" className="notice notice-error">
          {t('admin.notAdmin')}
        </p>
      </section>
    );
  }
  return (
    <div className="admin">
      <nav aria-label={t('admin.title')} className="admin-nav">
        <ul>
          {ADMIN_PAGES.map((page) => (
            <li key={page.path}>
              <NavLink end to={`/${org.slug}/admin${page.path ? `/${page.path}` : ''}`}>
                {t(page.key)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-page">
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route index element={<OverviewPage />} />
            <Route path="retention" element={<RetentionPage />} />
            <Route path="support" element={<SupportPage />} />
            <Route path="audit" element={<AuditPage />} />
            <Route path="data-subjects" element={<DataSubjectsPage />} />
            <Route path="reports" element={<ReportsPage />} />
            <Route path="security" element={<SecurityPage />} />
            <Route path="mail" element={<MailPage />} />
          </Routes>
        </Suspense>
      </div>
    </div>
  );
}
