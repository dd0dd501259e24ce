import { DisconnectReason, Room, RoomEvent, VideoPresets, type Participant } from 'livekit-client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiClient } from '../api/client';
import { ErrorNotice, Loading } from '../ui/status';
import { BreakoutFollower, BreakoutStatus, useFollower, type MyBreakout, type RoomTarget } from './breakouts';
import { ChatPanel } from './chat-panel';
import { ControlBar } from './controls';
import { e2eeEngine, type E2eeSession } from './e2ee-seam';
import { LobbyContext, useLobby } from './host-lobby';
import { base64ToBuffer, EpochKeyProvider } from './key-provider';
import { exposeMediaStats } from './media-stats';
import { participantName } from './names';
import { ParticipantsPanel } from './participants-panel';
import type { JoinChoices } from './prejoin';
import { CAMERA_RESOLUTION } from './prejoin';
import { useLocalRecorder, useRecordingIndicator } from './recording';
import {
  registerRoomPanel,
  roomPanels,
  RoomContextProvider,
  type Admitted,
  type DataHandler,
  type Meeting,
  type MessageProtection,
  type RoomContextValue,
  useRoomContext,
} from './room-context';
import { decodeJson, EPOCH_TOPIC } from './topics';
import { useRoomUpdates } from './use-room';
import { VideoGrid } from './video-grid';

/** Why the participant is no longer in the room. */
export type LeaveReason = 'left' | 'removed' | 'ended' | 'disconnected';

registerRoomPanel({ id: 'participants', label: 'room.tab.participants', Component: ParticipantsPanel, order: 10 });
registerRoomPanel({ id: 'chat', label: 'room.tab.chat', Component: ChatPanel, order: 20 });

interface Props {
  readonly api: ApiClient;
  readonly meetingId: string;
  readonly meeting: Meeting | undefined;
  readonly admitted: Admitted;
  readonly choices: JoinChoices;
  readonly isGuest: boolean;
  readonly onLeave: (reason: LeaveReason) => void;
}

function leaveReason(reason: DisconnectReason | undefined): LeaveReason {
  switch (reason) {
    case DisconnectReason.CLIENT_INITIATED:
      return 'left';
    case DisconnectReason.PARTICIPANT_REMOVED:
      return 'removed';
    case DisconnectReason.ROOM_DELETED:
    case DisconnectReason.ROOM_CLOSED:
      return 'ended';
    default:
      return 'disconnected';
  }
}

/**
 * The room: connects to LiveKit with frame encryption on (the standard-mode
 * key from the join answer is installed before anything is published; an
 * end-to-end engine installs its own), follows each new epoch, and shows the
 * video grid, controls and side panels.
 */
export default function MeetingRoom({ api, meetingId, meeting, admitted, choices, isGuest, onLeave }: Props) {
  const [room, setRoom] = useState<Room>();
  const [error, setError] = useState<unknown>();
  const [currentEpoch, setCurrentEpoch] = useState<number>();
  const [protection, setProtection] = useState<MessageProtection>();
  const keyProvider = useMemo(() => new EpochKeyProvider(), []);
  const handlers = useRef(new Map<string, Set<DataHandler>>());
  const onLeaveRef = useRef(onLeave);
  onLeaveRef.current = onLeave;
  // The room this page is connected to: the main room at first, then wherever the breakout plan puts the participant.
  const [grant, setGrant] = useState<Pick<Admitted, 'media' | 'encryption'>>(() => ({
    media: admitted.media,
    encryption: admitted.encryption,
  }));
  const place = useRef('main');
  const entered = useRef<((room: Room) => void) | undefined>(undefined);
  const [follower, setFollower] = useState<BreakoutFollower>();

  const setEpochKey = useCallback(
    async (epoch: number, keyIndex: number, key: ArrayBuffer) => {
      await keyProvider.setEpochKey(keyIndex, key);
      setCurrentEpoch((previous) => (previous === undefined || epoch > previous ? epoch : previous));
    },
    [keyProvider],
  );

  useEffect(() => {
    const worker = new Worker(new URL('livekit-client/e2ee-worker', import.meta.url), { type: 'module' });
    const lk = new Room({
      adaptiveStream: true,
      dynacast: true,
      encryption: { keyProvider, worker },
      videoCaptureDefaults: { resolution: CAMERA_RESOLUTION, deviceId: choices.videoDeviceId },
      audioCaptureDefaults: { deviceId: choices.audioDeviceId },
      publishDefaults: { simulcast: false, videoEncoding: VideoPresets.h360.encoding },
    });
    let cancelled = false;
    lk.on(RoomEvent.Disconnected, (reason) => {
      if (cancelled) return;
      if (grant.encryption.mode === 'e2ee') return onLeaveRef.current(leaveReason(reason));
      // A move between the meeting's rooms disconnects from the old one too: leave only when the plan puts us nowhere
      // else (and the follower has not already taken us there meanwhile).
      const from = place.current;
      const leave = () => {
        if (place.current === from) onLeaveRef.current(leaveReason(reason));
      };
      void api
        .GET('/v1/meetings/{meetingId}/breakouts/mine', { params: { path: { meetingId } } })
        .then(({ data }) => {
          const mine = data as MyBreakout | undefined;
          if (!mine?.join || (mine.breakout?.id ?? 'main') === from) leave();
        })
        .catch(leave);
    });
    lk.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
      if (!topic) return;
      for (const handler of handlers.current.get(topic) ?? []) handler(payload, participant?.identity);
    });
    void (async () => {
      try {
        // Standard mode: the epoch's key goes into the key ring before anything is sent.
        const { key, epoch, keyIndex } = grant.encryption;
        if (grant.encryption.mode === 'standard' && key) await setEpochKey(epoch, keyIndex, base64ToBuffer(key));
        await lk.setE2EEEnabled(true);
        await lk.connect(grant.media.url, grant.media.token, { autoSubscribe: true });
        if (cancelled) return void lk.disconnect();
        await lk.localParticipant.setMicrophoneEnabled(choices.audioEnabled).catch(() => undefined);
        await lk.localParticipant.setCameraEnabled(choices.videoEnabled).catch(() => undefined);
        if (!cancelled) {
          setRoom(lk);
          entered.current?.(lk);
          entered.current = undefined;
        }
      } catch (caught) {
        if (!cancelled) setError(caught);
      }
    })();
    return () => {
      cancelled = true;
      void lk.disconnect().finally(() => worker.terminate());
    };
    // One connection per room of the meeting: the choices do not change while the room is open.
  }, [grant, keyProvider]);

  // Breakouts: the follower asks where the plan puts this participant and moves the page there, and back.
  const connected = room !== undefined;
  const roomRef = useRef(room);
  roomRef.current = room;
  useEffect(() => {
    // Asking for a placement admits to the main room again, which in an end-to-end meeting needs this device: the
    // follower serves standard meetings; end-to-end breakouts are followed through the engine's keys (docs/e2ee.md).
    if (!connected || !roomRef.current || admitted.encryption.mode === 'e2ee') return;
    const enter = (target: RoomTarget) =>
      new Promise<Room>((resolve) => {
        place.current = target.breakout?.id ?? 'main';
        entered.current = resolve;
        setGrant({ media: target.grant.media, encryption: target.grant.encryption });
      });
    const started = new BreakoutFollower({ api, meetingId, room: roomRef.current, enter });
    setFollower(started);
    return () => started.stop();
  }, [connected, api, meetingId, admitted.encryption.mode]);

  const sendData = useCallback(
    async (topic: string, payload: Uint8Array, to?: readonly string[]) => {
      await room?.localParticipant.publishData(Uint8Array.from(payload), {
        reliable: true,
        topic,
        ...(to && { destinationIdentities: [...to] }),
      });
    },
    [room],
  );
  const onData = useCallback((topic: string, handler: DataHandler) => {
    const set = handlers.current.get(topic) ?? new Set();
    set.add(handler);
    handlers.current.set(topic, set);
    return () => void set.delete(handler);
  }, []);

  const context = useMemo<RoomContextValue | undefined>(
    () =>
      room && {
        room,
        admitted,
        api,
        meetingId,
        meeting,
        role: admitted.role,
        isGuest,
        setEpochKey,
        currentEpoch,
        sendData,
        onData,
        messageProtection: protection,
      },
    [room, admitted, api, meetingId, meeting, isGuest, setEpochKey, currentEpoch, sendData, onData, protection],
  );

  // Standard mode: each new epoch the server announces is fetched and installed (a removed participant gets none).
  // Subscribed before the room connects, so no announcement is missed.
  const epochRef = useRef(currentEpoch);
  epochRef.current = currentEpoch;
  useEffect(() => {
    if (admitted.encryption.mode !== 'standard') return;
    return onData(EPOCH_TOPIC, (payload) => {
      const message = decodeJson(payload) as { epoch?: unknown; breakoutId?: unknown } | undefined;
      // Announcements for a breakout's rooms are the breakouts panel's business.
      if (typeof message?.epoch !== 'number' || message.breakoutId !== undefined) return;
      if (epochRef.current !== undefined && message.epoch <= epochRef.current) return;
      void api
        .GET('/v1/meetings/{meetingId}/key', { params: { path: { meetingId }, query: { epoch: String(message.epoch) } } })
        .then(({ data }) => data && setEpochKey(data.epoch, data.keyIndex, base64ToBuffer(data.key)))
        .catch(() => undefined);
    });
  }, [admitted.encryption.mode, api, meetingId, onData, setEpochKey]);

  // End-to-end mode: the engine, when one is provided, installs keys as it opens them.
  const contextRef = useRef(context);
  contextRef.current = context;
  useEffect(() => {
    const engine = e2eeEngine();
    const ready = contextRef.current;
    if (!ready || admitted.encryption.mode !== 'e2ee' || !engine) return;
    let session: E2eeSession | undefined;
    let stopped = false;
    void engine
      .start(ready)
      .then((started) => {
        if (stopped) return started.stop();
        session = started;
        setProtection(started.messageProtection);
      })
      .catch(setError);
    return () => {
      stopped = true;
      session?.stop();
    };
  }, [room, admitted.encryption.mode]);

  useEffect(() => (room ? exposeMediaStats(room) : undefined), [room]);

  if (error)
    return (
      <section className="narrow">
        <ErrorNotice error={error} onRetry={() => onLeave('disconnected')} />
      </section>
    );
  if (!context) return <Loading />;
  return (
    <RoomContextProvider value={context}>
      <RoomView onLeave={onLeave} follower={follower} />
    </RoomContextProvider>
  );
}

function RoomView({ onLeave, follower }: { onLeave: (reason: LeaveReason) => void; follower?: BreakoutFollower }) {
  const { t } = useTranslation();
  const breakouts = useFollower(follower);
  const context = useRoomContext();
  const { room, admitted, meeting, role, currentEpoch } = context;
  useRoomUpdates(room);
  const lobby = useLobby(context);
  const gridRef = useRef<HTMLDivElement>(null);
  const recorder = useLocalRecorder(context, gridRef);
  const recording = useRecordingIndicator(context, recorder.recording);
  const panels = roomPanels().filter((p) => !p.visible || p.visible(context));
  const [tab, setTab] = useState(panels[0]?.id ?? 'participants');
  const [locked, setLocked] = useState<boolean>();
  const speaker = useSpeakerCaption(room);

  const waitingKey = admitted.encryption.mode === 'e2ee' && currentEpoch === undefined;
  const active = panels.find((p) => p.id === tab) ?? panels[0];

  return (
    <LobbyContext.Provider value={lobby}>
      <div className="room">
        <header className="room-bar">
          <h1 className="room-title">{meeting?.title ?? t('room.title')}</h1>
          {recording.active ? (
            <span className="indicator recording" role="status">
              {t('room.recording')}
            </span>
          ) : null}
          {locked ? <span className="indicator">{t('room.locked')}</span> : null}
          <span className="indicator secure">{admitted.encryption.mode === 'e2ee' ? t('room.e2ee') : t('room.encrypted')}</span>
        </header>
        <BreakoutStatus state={breakouts} onChoose={follower ? (id) => follower.choose(id) : undefined} />
        {waitingKey ? (
          <p className="notice" role="status">
            {e2eeEngine() ? t('room.e2eeWaiting') : t('room.e2eeNoEngine')}
          </p>
        ) : null}
        {role === 'host' && lobby.waiting.length > 0 ? (
          <div className="notice lobby-notice" role="status" aria-live="polite">
            {t('host.waitingNotice', { count: lobby.waiting.length })}{' '}
            <button type="button" onClick={() => setTab('participants')}>
              {t('host.showLobby')}
            </button>
          </div>
        ) : null}
        <p className="sr-only" aria-live="polite">
          {speaker}
        </p>
        <p className="sr-only" aria-live="assertive">
          {recording.announcement}
        </p>
        <div className="room-body">
          <div className="stage">
            <VideoGrid ref={gridRef} />
            <ControlBar recorder={recorder} onLeave={onLeave} locked={locked} onLockChanged={setLocked} />
          </div>
          <aside className="side" aria-label={t('room.side')}>
            <div role="tablist" aria-label={t('room.side')} className="tabs">
              {panels.map((panel) => {
                const label = typeof panel.label === 'string' ? t(panel.label) : panel.label(t);
                const selected = panel.id === active?.id;
                return (
                  <button
                    key={panel.id}
                    type="button"
                    role="tab"
                    id={`tab-${panel.id}`}
                    aria-selected={selected}
                    aria-controls={`panel-${panel.id}`}
                    tabIndex={selected ? 0 : -1}
                    onClick={() => setTab(panel.id)}
                    onKeyDown={(e) => {
                      const i = panels.indexOf(panel);
                      const next =
                        e.key === 'ArrowRight'
                          ? panels[(i + 1) % panels.length]
                          : e.key === 'ArrowLeft'
                            ? panels[(i - 1 + panels.length) % panels.length]
                            : undefined;
                      if (next) {
                        setTab(next.id);
                        document.getElementById(`tab-${next.id}`)?.focus();
                      }
                    }}
                  >
                    {label}
                    {panel.id === 'participants' && role === 'host' && lobby.waiting.length > 0
                      ? ` (${lobby.waiting.length})`
                      : ''}
                  </button>
                );
              })}
            </div>
            {panels.map((panel) => (
              <div
                key={panel.id}
                role="tabpanel"
                id={`panel-${panel.id}`}
                aria-labelledby={`tab-${panel.id}`}
                hidden={panel.id !== active?.id}
                className="panel"
              >
                <panel.Component />
              </div>
            ))}
          </aside>
        </div>
      </div>
    </LobbyContext.Provider>
  );
}

/** "Ana is speaking", for screen readers: who became the loudest speaker, at most once every two seconds. */
function useSpeakerCaption(room: Room): string {
  const { t } = useTranslation();
  const [caption, setCaption] = useState('');
  useEffect(() => {
    let last: string | undefined;
    let lastAt = 0;
    const onSpeakers = (speakers: Participant[]) => {
      const top = speakers[0];
      if (!top || top.identity === last || Date.now() - lastAt < 2000) return;
      last = top.identity;
      lastAt = Date.now();
      setCaption(top === room.localParticipant ? t('room.youSpeaking') : t('room.speaking', { name: participantName(top, t) }));
    };
    room.on(RoomEvent.ActiveSpeakersChanged, onSpeakers);
    return () => void room.off(RoomEvent.ActiveSpeakersChanged, onSpeakers);
  }, [room, t]);
  return caption;
}
