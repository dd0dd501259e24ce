import { Track, type Participant, type TrackPublication } from 'livekit-client';
import { forwardRef, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { participantName } from './names';
import { useRoomContext } from './room-context';

/** Every participant's camera (and screen shares, first) as tiles; the active speaker's tile is outlined. Remote audio plays here too. */
export const VideoGrid = forwardRef<HTMLDivElement>(function VideoGrid(_props, ref) {
  const { room } = useRoomContext();
  const { t } = useTranslation();
  const participants: Participant[] = [room.localParticipant, ...room.remoteParticipants.values()];
  const speaking = new Set(room.activeSpeakers.map((p) => p.identity));
  const tiles: { key: string; participant: Participant; publication?: TrackPublication; screen: boolean }[] = [];
  for (const participant of participants) {
    const screen = participant.getTrackPublication(Track.Source.ScreenShare);
    if (screen?.track) tiles.push({ key: `${participant.identity}-screen`, participant, publication: screen, screen: true });
  }
  for (const participant of participants) {
    tiles.push({
      key: participant.identity,
      participant,
      publication: participant.getTrackPublication(Track.Source.Camera),
      screen: false,
    });
  }
  return (
    <div ref={ref} className={`grid grid-${Math.min(tiles.length, 9)}`} aria-label={t('room.videos')} role="region">
      {tiles.map(({ key, participant, publication, screen }) => {
        const name = participant === room.localParticipant ? t('room.you') : participantName(participant, t);
        const label = screen ? t('room.screenOf', { name }) : name;
        const micMuted = participant.getTrackPublication(Track.Source.Microphone)?.isMuted ?? true;
        return (
          <figure
            key={key}
            className={`tile${speaking.has(participant.identity) && !screen ? ' speaking' : ''}`}
            data-identity={participant.identity}
          >
            {publication?.track && !publication.isMuted ? (
              <TrackVideo publication={publication} mirrored={participant === room.localParticipant && !screen} label={label} />
            ) : (
              <div className="tile-off" aria-hidden="true">
                {name.slice(0, 1).toUpperCase()}
              </div>
            )}
            <figcaption>
              {label}
              {!screen && micMuted ? <span className="muted-mark"> · {t('room.micOff')}</span> : null}
            </figcaption>
          </figure>
        );
      })}
      {[...room.remoteParticipants.values()].flatMap((participant) =>
        [Track.Source.Microphone, Track.Source.ScreenShareAudio].map((source) => {
          const publication = participant.getTrackPublication(source);
          return publication?.track ? <TrackAudio key={`${participant.identity}-${source}`} publication={publication} /> : null;
        }),
      )}
    </div>
  );
});

function TrackVideo({ publication, mirrored, label }: { publication: TrackPublication; mirrored: boolean; label: string }) {
  const element = useRef<HTMLVideoElement>(null);
  const track = publication.track;
  useEffect(() => {
    const video = element.current;
    if (!track || !video) return;
    track.attach(video);
    return () => void track.detach(video);
  }, [track]);
  return <video ref={element} className={mirrored ? 'mirrored' : undefined} muted playsInline autoPlay aria-label={label} />;
}

function TrackAudio({ publication }: { publication: TrackPublication }) {
  const element = useRef<HTMLAudioElement>(null);
  const track = publication.track;
  useEffect(() => {
    const audio = element.current;
    if (!track || !audio) return;
    track.attach(audio);
    return () => void track.detach(audio);
  }, [track]);
  return <audio ref={element} autoPlay data-identity={publication.trackSid} />;
}
