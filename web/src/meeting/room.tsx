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
  /** End-to-end meetings: the device this page joined with (placements in breakouts are for it). */
  readonly deviceId?: string;
  readonly onLeave: (reason: LeaveReason) => void;
  /** A standard meeting a host upgraded to end-to-end: the page joins again with a device of its own. */
  readonly onUpgrade?: () => void;
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

/** Where the page is: the main room's grant at first, then wherever the breakout plan puts the participant. */
interface Grant extends Pick<Admitted, 'media' | 'encryption'> {
  readonly breakout?: RoomTarget['breakout'];
}

/** A room being left: disconnected once the next one is connected, so the device stays bound meanwhile. */
interface Leaving {
  readonly room: Room;
  readonly worker: Worker;
}

async function leaveRoom(leaving: Leaving | undefined): Promise<void> {
  if (!leaving) return;
  await leaving.room.disconnect().catch(() => undefined);
  leaving.worker.terminate();
}

/**
 * The room: connects to LiveKit with frame encryption on (the standard-mode
 * key from the join answer is installed before anything is published; an
 * end-to-end engine installs its own), follows each new epoch, and shows the
 * video grid, controls and side panels. Each room of the meeting (the main
 * room, a breakout) gets a key provider of its own: in an end-to-end meeting a
 * breakout has its own key scope.
 */
export default function MeetingRoom({
  api,
  meetingId,
  meeting,
  admitted,
  choices,
  isGuest,
  deviceId,
  onLeave,
  onUpgrade,
}: Props) {
  const [room, setRoom] = useState<Room>();
  const [error, setError] = useState<unknown>();
  const [currentEpoch, setCurrentEpoch] = useState<number>();
  const [session, setSession] = useState<E2eeSession>();
  const handlers = useRef(new Map<string, Set<DataHandler>>());
  const onLeaveRef = useRef(onLeave);
  onLeaveRef.current = onLeave;
  const onUpgradeRef = useRef(onUpgrade);
  onUpgradeRef.current = onUpgrade;
  const [grant, setGrant] = useState<Grant>(() => ({ media: admitted.media, encryption: admitted.encryption }));
  // A fresh key provider for each room entered.
  const keyProvider = useMemo(() => new EpochKeyProvider(), [grant]);
  const place = useRef('main');
  const entered = useRef<((room: Room) => void) | undefined>(undefined);
  const leaving = useRef<Leaving | undefined>(undefined);
  const [follower, setFollower] = useState<BreakoutFollower>();
  const e2ee = admitted.encryption.mode === 'e2ee';
  // A placement in an end-to-end meeting is for this page's device.
  const placementQuery = useMemo(() => (deviceId ? { deviceId } : {}), [deviceId]);

  const setEpochKey = useCallback(
    async (epoch: number, keyIndex: number, key: ArrayBuffer) => {
      await keyProvider.setEpochKey(keyIndex, key);
      setCurrentEpoch((previous) => (previous === undefined || epoch > previous ? epoch : previous));
    },
    [keyProvider],
  );

  useEffect(() => {
    setCurrentEpoch(undefined);
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
      // Leaving by hand asks nothing: a placement would bind this page's device to the meeting again.
      if (reason === DisconnectReason.CLIENT_INITIATED) return onLeaveRef.current('left');
      // A move between the meeting's rooms disconnects from the old one too: leave only when the plan puts us nowhere
      // else (and the follower has not already taken us there meanwhile).
      const from = place.current;
      const leave = () => {
        if (place.current === from) onLeaveRef.current(leaveReason(reason));
      };
      void api
        .GET('/v1/meetings/{meetingId}/breakouts/mine', { params: { path: { meetingId }, query: placementQuery } })
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
      } finally {
        // Connected to the next room (or failed to): only now leave the one before.
        const before = leaving.current;
        leaving.current = undefined;
        void leaveRoom(before);
      }
    })();
    return () => {
      cancelled = true;
      void leaveRoom(leaving.current);
      leaving.current = undefined;
      // In an end-to-end meeting the room is left when the next one is connected (see above), or when the page leaves
      // the meeting (below): between a leave and the next connection the server would unbind this device. A standard
      // meeting binds no device, so the page leaves at once and never sends two rooms its media.
      if (grant.encryption.mode === 'e2ee') leaving.current = { room: lk, worker };
      else void leaveRoom({ room: lk, worker });
    };
    // One connection per room of the meeting: the choices do not change while the room is open.
  }, [grant, keyProvider]);
  useEffect(
    () => () => {
      const last = leaving.current;
      leaving.current = undefined;
      void leaveRoom(last);
    },
    [],
  );

  // Breakouts: the follower asks where the plan puts this participant and moves the page there, and back.
  const connected = room !== undefined;
  const roomRef = useRef(room);
  roomRef.current = room;
  const sessionRef = useRef(session);
  sessionRef.current = session;
  useEffect(() => {
    // In an end-to-end meeting a placement is for this page's device; without one (no engine) it follows nothing.
    if (!connected || !roomRef.current || (e2ee && !deviceId)) return;
    const enter = (target: RoomTarget) =>
      new Promise<Room>((resolve) => {
        place.current = target.breakout?.id ?? 'main';
        entered.current = resolve;
        setGrant({
          media: target.grant.media,
          encryption: target.grant.encryption,
          ...(target.breakout && { breakout: target.breakout }),
        });
      });
    // In a breakout nobody announces an epoch begun elsewhere: each placement names the current one.
    const onPlacement = (mine: MyBreakout) => {
      const epoch = mine.join?.encryption.epoch;
      if (epoch !== undefined && mine.breakout && mine.breakout.id === place.current) sessionRef.current?.noteEpoch?.(epoch);
    };
    const started = new BreakoutFollower({
      api,
      meetingId,
      room: roomRef.current,
      enter,
      onPlacement,
      ...(deviceId && { deviceId }),
    });
    setFollower(started);
    return () => started.stop();
  }, [connected, api, meetingId, e2ee, deviceId]);

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
        admitted: { ...admitted, media: grant.media, encryption: grant.encryption },
        ...(grant.breakout && { breakout: grant.breakout }),
        api,
        meetingId,
        meeting,
        role: admitted.role,
        isGuest,
        setEpochKey,
        currentEpoch,
        sendData,
        onData,
        messageProtection: session?.messageProtection,
      },
    [room, admitted, grant, api, meetingId, meeting, isGuest, setEpochKey, currentEpoch, sendData, onData, session],
  );

  // Standard mode: each new epoch the server announces is fetched and installed (a removed participant gets none).
  // Subscribed before the room connects, so no announcement is missed.
  const epochRef = useRef(currentEpoch);
  epochRef.current = currentEpoch;
  useEffect(() => {
    if (admitted.encryption.mode !== 'standard') return;
    return onData(EPOCH_TOPIC, (payload) => {
      const message = decodeJson(payload) as { epoch?: unknown; breakoutId?: unknown; mode?: unknown } | undefined;
      // A host upgraded the meeting: its keys come from the host's client from now on, so the page joins again.
      if (message?.mode === 'e2ee') return onUpgradeRef.current?.();
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
    let running: E2eeSession | undefined;
    let stopped = false;
    void engine
      .start(ready)
      .then((started) => {
        if (stopped) return started.stop();
        running = started;
        setSession(started);
      })
      .catch(setError);
    return () => {
      stopped = true;
      running?.stop();
      setSession(undefined);
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
      <RoomView onLeave={onLeave} follower={follower} openBroadcast={session?.openBroadcast} />
    </RoomContextProvider>
  );
}

function RoomView({
  onLeave,
  follower,
  openBroadcast,
}: {
  onLeave: (reason: LeaveReason) => void;
  follower?: BreakoutFollower;
  openBroadcast?: (ciphertext: string) => Promise<string>;
}) {
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
        <BreakoutStatus
          state={breakouts}
          {...(openBroadcast && { openBroadcast })}
          onChoose={follower ? (id) => follower.choose(id) : undefined}
        />
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
