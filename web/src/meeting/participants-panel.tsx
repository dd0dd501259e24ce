import { Track, type RemoteParticipant } from 'livekit-client';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../ui/status';
import { useLobbyContext } from './host-lobby';
import { isGuestParticipant, participantName } from './names';
import { useRoomContext } from './room-context';
import { useRoomUpdates } from './use-room';

/** Who is in the room; for hosts also who waits (admit, deny) and, per person, mute and remove. */
export function ParticipantsPanel() {
  const { t, i18n } = useTranslation();
  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const { room, role, api, meetingId } = useRoomContext();
  useRoomUpdates(room);
  const lobby = useLobbyContext();
  const [error, setError] = useState<unknown>();
  const host = role === 'host';
  const remote = [...room.remoteParticipants.values()];

  async function act(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    }
  }

  const mute = (participant: RemoteParticipant, source: Track.Source) => {
    const publication = participant.getTrackPublication(source);
    if (!publication) return;
    void act(() =>
      api.POST('/v1/meetings/{meetingId}/participants/{participantId}/mute', {
        params: { path: { meetingId, participantId: participant.identity } },
        body: { trackSid: publication.trackSid, muted: true },
      }),
    );
  };

  const remove = (participant: RemoteParticipant, name: string) => {
    if (!confirm(t('host.removeConfirm', { name }))) return;
    void act(() =>
      api.POST('/v1/meetings/{meetingId}/participants/{participantId}/remove', {
        params: { path: { meetingId, participantId: participant.identity } },
      }),
    );
  };

  return (
    <div className="stack">
      {host ? (
        <section aria-labelledby="lobby-title" className="lobby">
          <h2 id="lobby-title">{t('host.lobby', { count: lobby.waiting.length })}</h2>
          {lobby.waiting.length === 0 ? <p className="muted">{t('host.lobbyEmpty')}</p> : null}
          <ul className="people">
            {lobby.waiting.map((w) => {
              const name = w.displayName ?? t('host.someoneSince', { time: time.format(new Date(w.since)) });
              return (
                <li key={w.ticket}>
                  <span>
                    {name}
                    {w.guest ? <span className="badge">{t('room.guest')}</span> : null}
                  </span>
                  <span className="actions">
                    <button
                      type="button"
                      className="primary"
                      onClick={() => void lobby.admit(w.ticket)}
                      aria-label={t('host.admitName', { name })}
                    >
                      {t('host.admit')}
                    </button>
                    <button type="button" onClick={() => void lobby.deny(w.ticket)} aria-label={t('host.denyName', { name })}>
                      {t('host.deny')}
                    </button>
                  </span>
                </li>
              );
            })}
          </ul>
          {lobby.error ? <ErrorNotice error={lobby.error} /> : null}
        </section>
      ) : null}
      <section aria-labelledby="people-title">
        <h2 id="people-title">{t('room.inRoom', { count: remote.length + 1 })}</h2>
        <ul className="people">
          <li>
            <span>{t('room.you')}</span>
          </li>
          {remote.map((participant) => {
            const name = participantName(participant, t);
            const mic = participant.getTrackPublication(Track.Source.Microphone);
            const camera = participant.getTrackPublication(Track.Source.Camera);
            return (
              <li key={participant.identity} data-identity={participant.identity}>
                <span>
                  {name}
                  {isGuestParticipant(participant) ? <span className="badge">{t('room.guest')}</span> : null}
                  {participant.isSpeaking ? <span className="badge">{t('room.speakingBadge')}</span> : null}
                </span>
                {host ? (
                  <span className="actions">
                    <button
                      type="button"
                      disabled={!mic || mic.isMuted}
                      onClick={() => mute(participant, Track.Source.Microphone)}
                      aria-label={t('host.muteName', { name })}
                    >
                      {t('host.mute')}
                    </button>
                    <button
                      type="button"
                      disabled={!camera || camera.isMuted}
                      onClick={() => mute(participant, Track.Source.Camera)}
                      aria-label={t('host.stopVideoName', { name })}
                    >
                      {t('host.stopVideo')}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => remove(participant, name)}
                      aria-label={t('host.removeName', { name })}
                    >
                      {t('host.remove')}
                    </button>
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      </section>
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}
