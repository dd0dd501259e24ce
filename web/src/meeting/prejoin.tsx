import {
  createAudioAnalyser,
  createLocalTracks,
  Room,
  Track,
  VideoPresets,
  type LocalAudioTrack,
  type LocalTrack,
} from 'livekit-client';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../ui/status';

/** What the participant chose before joining: name, devices, and whether to start with camera and microphone on. */
export interface JoinChoices {
  readonly displayName: string;
  readonly passcode?: string;
  readonly audioDeviceId?: string;
  readonly videoDeviceId?: string;
  readonly audioEnabled: boolean;
  readonly videoEnabled: boolean;
}

/** The capture size the app uses: small enough for many participants on modest machines, sharp enough for faces. */
export const CAMERA_RESOLUTION = VideoPresets.h360.resolution;

interface Props {
  readonly title: string;
  readonly defaultName: string;
  /** Whether the name can be changed here (a guest chose theirs already). */
  readonly nameEditable: boolean;
  readonly askPasscode: boolean;
  readonly busy: boolean;
  readonly error?: unknown;
  readonly onJoin: (choices: JoinChoices) => void;
}

/** Camera and microphone preview, device choice, display name and passcode; Join hands the choices on. */
export function PreJoin({ title, defaultName, nameEditable, askPasscode, busy, error, onJoin }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [displayName, setDisplayName] = useState(defaultName);
  const [passcode, setPasscode] = useState('');
  const [audioEnabled, setAudioEnabled] = useState(true);
  const [videoEnabled, setVideoEnabled] = useState(true);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [microphones, setMicrophones] = useState<MediaDeviceInfo[]>([]);
  const [videoDeviceId, setVideoDeviceId] = useState<string>();
  const [audioDeviceId, setAudioDeviceId] = useState<string>();
  const [deviceError, setDeviceError] = useState<string>();
  const video = useRef<HTMLVideoElement>(null);
  const [microphone, setMicrophone] = useState<LocalAudioTrack>();
  const level = useMicrophoneLevel(microphone);

  // The preview: fresh tracks for the chosen devices, stopped when the choice changes or the page moves on.
  useEffect(() => {
    let tracks: LocalTrack[] = [];
    let cancelled = false;
    setDeviceError(undefined);
    if (!audioEnabled && !videoEnabled) return;
    void (async () => {
      try {
        const created = await createLocalTracks({
          audio: audioEnabled ? { deviceId: audioDeviceId } : false,
          video: videoEnabled ? { deviceId: videoDeviceId, resolution: CAMERA_RESOLUTION } : false,
        });
        if (cancelled) {
          created.forEach((track) => track.stop());
          return;
        }
        tracks = created;
        const camera = created.find((track) => track.kind === Track.Kind.Video);
        if (camera && video.current) camera.attach(video.current);
        setMicrophone(created.find((track): track is LocalAudioTrack => track.kind === Track.Kind.Audio));
        const [cams, mics] = await Promise.all([Room.getLocalDevices('videoinput'), Room.getLocalDevices('audioinput')]);
        if (!cancelled) {
          setCameras(cams);
          setMicrophones(mics);
        }
      } catch (caught) {
        if (!cancelled) setDeviceError(caught instanceof Error ? caught.message : String(caught));
      }
    })();
    return () => {
      cancelled = true;
      setMicrophone(undefined);
      tracks.forEach((track) => {
        track.detach();
        track.stop();
      });
    };
  }, [audioEnabled, videoEnabled, audioDeviceId, videoDeviceId]);

  function submit(event: FormEvent) {
    event.preventDefault();
    onJoin({
      displayName: displayName.trim(),
      ...(askPasscode && { passcode: passcode.trim() }),
      audioDeviceId,
      videoDeviceId,
      audioEnabled,
      videoEnabled,
    });
  }

  return (
    <section className="prejoin" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{title}</h1>
      <p className="muted">{t('prejoin.intro')}</p>
      <div className="prejoin-body">
        <div className="preview">
          {videoEnabled ? (
            <video ref={video} muted playsInline autoPlay aria-label={t('prejoin.preview')} />
          ) : (
            <p className="preview-off">{t('prejoin.cameraOff')}</p>
          )}
        </div>
        <form className="stack prejoin-form" onSubmit={submit}>
          <label htmlFor={`${id}-name`}>{t('prejoin.name')}</label>
          <input
            id={`${id}-name`}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            readOnly={!nameEditable}
            maxLength={80}
            required
            autoComplete="name"
          />
          {askPasscode ? (
            <>
              <label htmlFor={`${id}-passcode`}>{t('prejoin.passcode')}</label>
              <input
                id={`${id}-passcode`}
                value={passcode}
                onChange={(e) => setPasscode(e.target.value)}
                required
                autoComplete="off"
              />
            </>
          ) : null}
          <label htmlFor={`${id}-camera`}>{t('prejoin.camera')}</label>
          <select id={`${id}-camera`} value={videoDeviceId ?? ''} onChange={(e) => setVideoDeviceId(e.target.value || undefined)}>
            <option value="">{t('prejoin.defaultDevice')}</option>
            {cameras.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || d.deviceId}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-mic`}>{t('prejoin.microphone')}</label>
          <select id={`${id}-mic`} value={audioDeviceId ?? ''} onChange={(e) => setAudioDeviceId(e.target.value || undefined)}>
            <option value="">{t('prejoin.defaultDevice')}</option>
            {microphones.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || d.deviceId}
              </option>
            ))}
          </select>
          <label className="check">
            <input type="checkbox" checked={videoEnabled} onChange={(e) => setVideoEnabled(e.target.checked)} />
            {t('prejoin.startWithCamera')}
          </label>
          {audioEnabled ? <meter className="mic-level" min={0} max={1} value={level} aria-label={t('prejoin.micLevel')} /> : null}
          <label className="check">
            <input type="checkbox" checked={audioEnabled} onChange={(e) => setAudioEnabled(e.target.checked)} />
            {t('prejoin.startWithMicrophone')}
          </label>
          {deviceError ? (
            <p role="alert" className="field-error">
              {t('prejoin.deviceError', { message: deviceError })}
            </p>
          ) : null}
          {error ? <ErrorNotice error={error} /> : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('prejoin.joining') : t('prejoin.join')}
          </button>
        </form>
      </div>
    </section>
  );
}

/** How loud the microphone is now (0–1), sampled a few times a second, for the pre-join meter. */
function useMicrophoneLevel(track: LocalAudioTrack | undefined): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!track) return setLevel(0);
    const { calculateVolume, cleanup } = createAudioAnalyser(track);
    const timer = setInterval(() => setLevel(Math.min(1, calculateVolume() * 4)), 200);
    return () => {
      clearInterval(timer);
      void cleanup();
    };
  }, [track]);
  return level;
}
