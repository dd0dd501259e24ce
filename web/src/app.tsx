import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Loading } from './ui/status';
import { AgendaPage } from './pages/agenda-page';
import { CallbackPage } from './pages/callback-page';
import { MeetingFormPage } from './pages/meeting-form-page';
import { OrganisationPage } from './pages/organisation-page';
import { OrgLayout } from './org-context';

// The meeting itself (pre-join, lobby, room) and LiveKit's SDK load only when a meeting is opened.
const MeetingPage = lazy(() => import('./meeting/meeting-page'));
const GuestPage = lazy(() => import('./meeting/guest-page'));
// Administration (tenant admins), preferences and the operators' view load only when opened.
const AdminSection = lazy(() => import('./admin/admin-section'));
const PreferencesPage = lazy(() => import('./admin/preferences-page'));
const OperatorSection = lazy(() => import('./operator/operator-section'));

export function App() {
  return (
    <BrowserRouter>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<OrganisationPage />} />
          <Route path="/callback" element={<CallbackPage />} />
          <Route path="/operator/*" element={<OperatorSection />} />
          <Route path="/:slug/guest" element={<GuestPage />} />
          <Route path="/:slug" element={<OrgLayout />}>
            <Route index element={<AgendaPage />} />
            <Route path="new" element={<MeetingFormPage />} />
            <Route path="m/:meetingId/edit" element={<MeetingFormPage />} />
            <Route path="m/:meetingId" element={<MeetingPage />} />
            <Route path="admin/*" element={<AdminSection />} />
            <Route path="preferences" element={<PreferencesPage />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
