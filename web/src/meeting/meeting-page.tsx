import type { DeviceIdentity } from '@meetplane/e2ee';
import { RoomEvent, Track, type Participant, type RemoteTrack, type Room } from 'livekit-client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiProblem } from '../api/client';
import { useOrgSession } from '../org-context';
import { ErrorNotice, Loading } from '../ui/status';
import {
  BreakoutFollower,
  BreakoutPlanner,
  BreakoutStatus,
  MeetingRooms,
  useFollower,
  type ConnectedRoom,
  type MediaGrant,
  type Person,
} from './breakouts';
import { registeredDevice, SecurityPanel, UpgradeButton, type E2eeState } from './e2ee';
import { ClipRecorder, ReportDialog } from './report';

interface MeetingInfo {
  readonly id: string;
  readonly title: string;
  readonly encryption: 'standard' | 'e2ee';
  readonly isHost: boolean;
}

type Phase =
  | { kind: 'prejoin' }
  | { kind: 'joining' }
  | { kind: 'waiting'; ticket: string }
  | { kind: 'in'; participantId: string; role: 'host' | 'participant' }
  | { kind: 'left' };

/** A remote participant's tile: their camera, and their voice played. */
function Tile({ participant }: { participant: Participant }) {
  const video = useRef<HTMLVideoElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const [, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    participant.on('trackSubscribed', bump).on('trackUnsubscribed', bump);
    return () => {
      participant.off('trackSubscribed', bump).off('trackUnsubscribed', bump);
    };
  }, [participant]);
  const camera = participant.getTrackPublication(Track.Source.Camera)?.track as RemoteTrack | undefined;
  const mic = participant.getTrackPublication(Track.Source.Microphone)?.track as RemoteTrack | undefined;
  useEffect(() => {
    if (camera && video.current) camera.attach(video.current);
    return () => {
      if (camera && video.current) camera.detach(video.current);
    };
  }, [camera]);
  useEffect(() => {
    if (mic && audio.current) mic.attach(audio.current);
    return () => {
      if (mic && audio.current) mic.detach(audio.current);
    };
  }, [mic]);
  const name = participant.name || participant.identity;
  return (
    <figure className="tile" data-participant={participant.identity}>
      <video ref={video} autoPlay playsInline muted aria-label={name} />
      <audio ref={audio} autoPlay />
      <figcaption>{name}</figcaption>
    </figure>
  );
}

function useRemoteParticipants(room: Room | undefined): Participant[] {
  const [people, setPeople] = useState<Participant[]>([]);
  useEffect(() => {
    if (!room) return undefined;
    const update = () => setPeople([...room.remoteParticipants.values()]);
    update();
    room
      .on(RoomEvent.ParticipantConnected, update)
      .on(RoomEvent.ParticipantDisconnected, update)
      .on(RoomEvent.Disconnected, update)
      .on(RoomEvent.ParticipantNameChanged, update);
    return () => {
      room
        .off(RoomEvent.ParticipantConnected, update)
        .off(RoomEvent.ParticipantDisconnected, update)
        .off(RoomEvent.Disconnected, update)
        .off(RoomEvent.ParticipantNameChanged, update);
    };
  }, [room]);
  return people;
}

function useEngineState(shown: ConnectedRoom | undefined): E2eeState | undefined {
  const [state, setState] = useState<E2eeState>();
  useEffect(() => {
    const engine = shown?.engine;
    setState(engine?.getState());
    return engine?.subscribe(setState);
  }, [shown]);
  return state;
}

/**
 * A meeting's page: join (with this browser's registered device in an
 * end-to-end meeting), the room's remote participants, the security code,
 * breakouts (the host's planner; participants are taken to theirs and back)
 * and abuse reports with a clip.
 */
export default function MeetingPage() {
  const { meetingId = '' } = useParams();
  const { org, user, api, displayName } = useOrgSession();
  const { t } = useTranslation();
  const [meeting, setMeeting] = useState<MeetingInfo>();
  const [error, setError] = useState<unknown>();
  const [phase, setPhase] = useState<Phase>({ kind: 'prejoin' });
  const [shown, setShown] = useState<ConnectedRoom>();
  const [rooms, setRooms] = useState<MeetingRooms>();
  const [follower, setFollower] = useState<BreakoutFollower>();
  const [reporting, setReporting] = useState(false);
  const recorder = useRef<ClipRecorder>(undefined);
  const device = useRef<DeviceIdentity>(undefined);
  // The meeting's own host runs its keys and stays in the main room; an admin joins as a host too (to
  // moderate), but keys nothing and goes where the breakout plan puts them.
  const keyHost = useRef(false);

  // Hosts and invitees can read the meeting; anyone else learns its mode from the join.
  useEffect(() => {
    api
      .GET('/v1/meetings/{meetingId}', { params: { path: { meetingId } } })
      .then(({ data }) => setMeeting(data as MeetingInfo))
      .catch(() => setMeeting({ id: meetingId, title: '', encryption: 'standard', isHost: false }));
  }, [api, meetingId]);

  const enter = useCallback(
    async (grant: MediaGrant, participantId: string, role: 'host' | 'participant') => {
      const meetingRooms = new MeetingRooms({
        api,
        meetingId,
        isHost: role === 'host' && keyHost.current,
        ...(device.current && { device: device.current }),
        onChange: (connected) => {
          setShown(connected);
          recorder.current?.attach(connected.room);
        },
        // The meeting turned end-to-end: join again at once, with this browser's device, into the new key chain.
        onUpgraded: () =>
          void meetingRooms.leave().then(() => {
            setPhase({ kind: 'prejoin' });
            void rejoin.current?.();
          }),
      });
      setRooms(meetingRooms);
      recorder.current ??= new ClipRecorder();
      const main = await meetingRooms.start(grant);
      setPhase({ kind: 'in', participantId, role });
      if (!keyHost.current) {
        setFollower(
          new BreakoutFollower({
            api,
            meetingId,
            room: main.room,
            enter: (target) => meetingRooms.enter(target),
            onPlacement: (mine) => meetingRooms.notePlacement(mine),
          }),
        );
      }
    },
    [api, meetingId],
  );

  const rejoin = useRef<() => Promise<void>>(undefined);
  const join = async () => {
    setPhase({ kind: 'joining' });
    setError(undefined);
    try {
      const owner = `${org.slug}/${String(user.profile.sub)}`;
      const fresh = await api
        .GET('/v1/meetings/{meetingId}', { params: { path: { meetingId } } })
        .then(({ data }) => data as MeetingInfo)
        .catch(() => undefined);
      if (fresh) setMeeting(fresh);
      keyHost.current = fresh?.isHost === true;
      device.current = fresh?.encryption === 'e2ee' ? await registeredDevice(api, owner) : undefined;
      const joinAs = () =>
        api.POST('/v1/meetings/{meetingId}/join', {
          params: { path: { meetingId } },
          body: { displayName, ...(device.current && { deviceId: device.current.deviceId }) },
        });
      // A meeting this user cannot read says it is end-to-end by asking for the device to seal its keys to.
      const { data } = await joinAs().catch(async (problem: unknown) => {
        const needsDevice =
          problem instanceof ApiProblem && problem.status === 400 && problem.fieldErrors.some((f) => f.field === 'deviceId');
        if (!needsDevice || device.current) throw problem;
        device.current = await registeredDevice(api, owner);
        setMeeting((m) => (m ? { ...m, encryption: 'e2ee' } : m));
        return joinAs();
      });
      if (data?.status === 'admitted' && data.encryption.mode === 'e2ee')
        setMeeting((m) => (m ? { ...m, encryption: 'e2ee' } : m));
      if (!data) throw new Error('no answer to the join');
      if (data.status === 'waiting') {
        setPhase({ kind: 'waiting', ticket: data.ticket });
        return;
      }
      await enter(data as MediaGrant, data.participantId, data.role);
    } catch (e) {
      setError(e);
      setPhase({ kind: 'prejoin' });
    }
  };

  rejoin.current = join;

  // In the waiting room: ask until admitted (or denied).
  useEffect(() => {
    if (phase.kind !== 'waiting') return undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const { data } = await api.GET('/v1/meetings/{meetingId}/lobby/{ticket}', {
          params: { path: { meetingId, ticket: phase.ticket } },
        });
        if (stopped || !data) return;
        if (data.status === 'admitted') return void (await enter(data as MediaGrant, data.participantId, data.role));
        if (data.status === 'denied') return setPhase({ kind: 'left' });
      } catch {
        // ask again
      }
      if (!stopped) setTimeout(() => void tick(), 2000);
    };
    void tick();
    return () => {
      stopped = true;
    };
  }, [phase, api, meetingId, enter]);

  useEffect(
    () => () => {
      follower?.stop();
    },
    [follower],
  );
  // Leaving the page leaves the meeting, and the clip buffer goes with it.
  const roomsRef = useRef<MeetingRooms>(undefined);
  roomsRef.current = rooms;
  useEffect(
    () => () => {
      recorder.current?.stop();
      void roomsRef.current?.leave();
    },
    [],
  );

  const remote = useRemoteParticipants(shown?.room);
  const followerState = useFollower(follower);
  const e2eeState = useEngineState(shown);
  const people: Person[] = useMemo(
    () => remote.filter((p) => !p.attributes['meetplane.role']).map((p) => ({ id: p.identity, name: p.name || p.identity })),
    [remote],
  );
  // Everyone the host may send to a breakout: who is in the main room (or was seen there).
  const [known, setKnown] = useState<Person[]>([]);
  useEffect(() => {
    if (shown?.scope.kind !== 'main') return;
    setKnown((before) => {
      const byId = new Map(before.map((p) => [p.id, p]));
      for (const p of people) byId.set(p.id, p);
      return [...byId.values()];
    });
  }, [people, shown]);

  if (!meeting) return error ? <ErrorNotice error={error} /> : <Loading />;
  const isHost = phase.kind === 'in' ? phase.role === 'host' : meeting.isHost;
  const e2ee = meeting.encryption === 'e2ee';

  return (
    <section className="meeting">
      <h1>{meeting.title}</h1>
      {error ? <ErrorNotice error={error} /> : null}
      {phase.kind === 'prejoin' || phase.kind === 'joining' ? (
        <button type="button" className="primary" disabled={phase.kind === 'joining'} onClick={() => void join()}>
          {t('minimalRoom.join')}
        </button>
      ) : null}
      {phase.kind === 'waiting' ? <p role="status">{t('minimalRoom.waiting')}</p> : null}
      {phase.kind === 'left' ? <p role="status">{t('minimalRoom.left')}</p> : null}
      {phase.kind === 'in' && shown ? (
        <div className="meeting-layout">
          <div className="tiles" aria-label={t('minimalRoom.participants')}>
            {remote.map((p) => (
              <Tile key={`${shown.room.name ?? ''}/${p.identity}`} participant={p} />
            ))}
          </div>
          <aside className="side-panels">
            {shown.visiting ? (
              <button type="button" onClick={() => void rooms?.endVisit()}>
                {t('breakouts.backToMain')}
              </button>
            ) : null}
            {e2ee ? <SecurityPanel state={e2eeState} isHost={isHost && keyHost.current && shown.scope.kind === 'main'} /> : null}
            {!e2ee && isHost ? <UpgradeButton api={api} meetingId={meetingId} /> : null}
            {isHost && keyHost.current ? (
              <BreakoutPlanner
                api={api}
                meetingId={meetingId}
                people={known}
                e2ee={e2ee}
                {...(rooms?.mainEngine && { engine: rooms.mainEngine })}
                onVisit={(breakoutId) =>
                  void api
                    .GET('/v1/meetings/{meetingId}/breakouts/{breakoutId}/visit', {
                      params: { path: { meetingId, breakoutId } },
                    })
                    .then(({ data }) => data && rooms?.visit({ grant: data as MediaGrant, breakout: data.breakout }))
                    .catch(setError)
                }
              />
            ) : (
              <BreakoutStatus state={followerState} {...(shown.engine && { engine: shown.engine })} />
            )}
            <div className="actions">
              <button type="button" onClick={() => setReporting(true)}>
                {t('report.open')}
              </button>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  follower?.stop();
                  recorder.current?.stop();
                  void rooms?.leave().then(() => setPhase({ kind: 'left' }));
                }}
              >
                {t('minimalRoom.leave')}
              </button>
            </div>
          </aside>
          {reporting ? (
            <ReportDialog
              api={api}
              meetingId={meetingId}
              people={people}
              {...(recorder.current && { recorder: recorder.current })}
              onClose={() => setReporting(false)}
            />
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
