import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { useOrgSession } from '../org-context';
import { ErrorNotice, Loading } from '../ui/status';
import { MeetingFlow } from './meeting-flow';
import type { Meeting } from './room-context';

/** A meeting's page for a signed-in member: the meeting is loaded, then pre-join, the waiting room, the room. */
export default function MeetingPage() {
  const { meetingId = '' } = useParams();
  const { api, displayName } = useOrgSession();
  const [meeting, setMeeting] = useState<Meeting>();
  const [error, setError] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setError(undefined);
    api
      .GET('/v1/meetings/{meetingId}', { params: { path: { meetingId } } })
      .then(({ data }) => !cancelled && setMeeting(data))
      .catch((caught: unknown) => !cancelled && setError(caught));
    return () => {
      cancelled = true;
    };
  }, [api, meetingId, attempt]);

  if (error) return <ErrorNotice error={error} onRetry={() => setAttempt((n) => n + 1)} />;
  if (!meeting) return <Loading />;
  return <MeetingFlow api={api} meetingId={meetingId} meeting={meeting} defaultName={displayName} nameEditable isGuest={false} />;
}
