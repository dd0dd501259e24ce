import { useParams } from 'react-router';
import { useOrgSession } from '../org-context';

/** A meeting's page: pre-join, the waiting room, then the room. */
export default function MeetingPage() {
  const { meetingId } = useParams();
  const { org } = useOrgSession();
  return (
    <section>
      <h1>{meetingId}</h1>
      <p>{org.slug}</p>
    </section>
  );
}
