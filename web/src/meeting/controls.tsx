import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../ui/status';
import type { LocalRecorder } from './recording';
import type { LeaveReason } from './room';
import { useRoomContext } from './room-context';

interface Props {
  readonly recorder: LocalRecorder;
  readonly locked: boolean | undefined;
  readonly onLockChanged: (locked: boolean) => void;
  readonly onLeave: (reason: LeaveReason) => void;
}

/** Microphone, camera, screen sharing and leaving for everyone; recording, lock and ending for hosts. */
export function ControlBar({ recorder, locked, onLockChanged, onLeave }: Props) {
  const { t } = useTranslation();
  const { room, role, api, meetingId } = useRoomContext();
  const local = room.localParticipant;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function act(action: () => Promise<unknown>) {
    setError(undefined);
    setBusy(true);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const mic = local.isMicrophoneEnabled;
  const camera = local.isCameraEnabled;
  const screen = local.isScreenShareEnabled;
  const host = role === 'host';

  return (
    <div className="controls-wrap">
      <div className="controls" role="toolbar" aria-label={t('room.controls')}>
        <button type="button" aria-pressed={!mic} onClick={() => void act(() => local.setMicrophoneEnabled(!mic))}>
          {mic ? t('room.muteMic') : t('room.unmuteMic')}
        </button>
        <button type="button" aria-pressed={!camera} onClick={() => void act(() => local.setCameraEnabled(!camera))}>
          {camera ? t('room.stopCamera') : t('room.startCamera')}
        </button>
        <button type="button" aria-pressed={screen} onClick={() => void act(() => local.setScreenShareEnabled(!screen))}>
          {screen ? t('room.stopShare') : t('room.share')}
        </button>
        {host ? (
          <>
            <button
              type="button"
              aria-pressed={recorder.recording}
              onClick={() => (recorder.recording ? void act(recorder.stop) : recorder.start())}
            >
              {recorder.recording ? t('host.stopRecording') : t('host.startRecording')}
            </button>
            <button
              type="button"
              aria-pressed={Boolean(locked)}
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  const path = locked ? '/v1/meetings/{meetingId}/unlock' : '/v1/meetings/{meetingId}/lock';
                  const { data } = await api.POST(path, { params: { path: { meetingId } } });
                  if (data) onLockChanged(data.locked);
                })
              }
            >
              {locked ? t('host.unlock') : t('host.lock')}
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  if (!confirm(t('host.endConfirm'))) return;
                  await api.POST('/v1/meetings/{meetingId}/end', { params: { path: { meetingId } } });
                  await recorder.stop();
                  onLeave('ended');
                })
              }
            >
              {t('host.end')}
            </button>
          </>
        ) : null}
        <button
          type="button"
          className="danger"
          onClick={() =>
            void act(async () => {
              await recorder.stop();
              await room.disconnect();
              onLeave('left');
            })
          }
        >
          {t('room.leave')}
        </button>
      </div>
      {error || recorder.error ? <ErrorNotice error={error ?? recorder.error} /> : null}
    </div>
  );
}
