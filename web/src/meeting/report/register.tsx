import type { Room } from 'livekit-client';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { registerRoomPanel, useRoomContext } from '../room-context';
import { ClipRecorder } from './clip-recorder';
import { ReportDialog } from './report-dialog';

/**
 * Abuse reports in the meeting room: a rolling clip of what this page
 * receives, kept from the moment the room opens, and a "Report abuse" panel.
 * The room offers no "room opened" seam, so the clip starts the first time the
 * room asks whether this panel is visible (it asks as it renders its tabs).
 */
const recorders = new WeakMap<Room, ClipRecorder>();

function recorderOf(room: Room): ClipRecorder {
  let recorder = recorders.get(room);
  if (!recorder) {
    recorder = new ClipRecorder();
    recorder.attach(room);
    recorders.set(room, recorder);
    room.once('disconnected', () => recorder?.stop());
  }
  return recorder;
}

function ReportPanel() {
  const { t } = useTranslation();
  const { room, api, meetingId } = useRoomContext();
  const [open, setOpen] = useState(false);
  const people = [...room.remoteParticipants.values()].map((p) => ({ id: p.identity, name: p.name || p.identity }));
  return (
    <section>
      <p className="muted">{t('report.clipNote')}</p>
      <button type="button" onClick={() => setOpen(true)}>
        {t('report.open')}
      </button>
      {open ? (
        <ReportDialog
          api={api}
          meetingId={meetingId}
          people={people}
          recorder={recorderOf(room)}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </section>
  );
}

registerRoomPanel({
  id: 'report',
  label: 'report.tab',
  visible: (context) => {
    recorderOf(context.room);
    return true;
  },
  Component: ReportPanel,
  order: 90,
});
