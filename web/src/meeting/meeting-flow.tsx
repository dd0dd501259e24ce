import { lazy, Suspense, useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type ApiClient } from '../api/client';
import { Loading } from '../ui/status';
import { e2eeEngine } from './e2ee-seam';
import { PreJoin, type JoinChoices } from './prejoin';
import type { Admitted, Meeting } from './room-context';
import type { LeaveReason } from './room';
import { WaitingRoom } from './waiting-room';
import './extensions';
import './meeting.css';

const MeetingRoom = lazy(() => import('./room'));

type Stage =
  | { kind: 'prejoin' }
  | { kind: 'waiting'; ticket: string; choices: JoinChoices; deviceId?: string }
  | { kind: 'denied' }
  | { kind: 'room'; admitted: Admitted; choices: JoinChoices; deviceId?: string }
  | { kind: 'left'; reason: LeaveReason };

interface Props {
  /** The API as this participant: the signed-in user's client, or one with a guest token. */
  readonly api: ApiClient;
  readonly meetingId: string;
  /** What GET /v1/meetings/{id} said, when the participant may read it (guests may not). */
  readonly meeting?: Meeting;
  readonly defaultName: string;
  readonly nameEditable: boolean;
  readonly isGuest: boolean;
}

/**
 * A meeting from the participant's side: pre-join, the waiting room when the
 * answer is a ticket, then the room. It needs only an API client and the
 * meeting's id, so signed-in users and guests go through the same flow.
 */
export function MeetingFlow({ api, meetingId, meeting, defaultName, nameEditable, isGuest }: Props) {
  const { t } = useTranslation();
  const [stage, setStage] = useState<Stage>({ kind: 'prejoin' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [needsPasscode, setNeedsPasscode] = useState(Boolean(meeting?.passcodeProtected && !meeting.isHost));
  // A host may upgrade a standard meeting while it runs; from then on every join is end to end.
  const encryption = useRef(meeting?.encryption);
  const upgrading = useRef(false);

  /** Joins with these choices; whether it got an answer (the room or the waiting room). */
  async function join(choices: JoinChoices): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    try {
      // End-to-end meetings join with a device the engine registered; a guest, who cannot read the meeting, always does when an engine is there.
      const engine = encryption.current !== 'standard' ? e2eeEngine() : undefined;
      const device = engine ? await engine.prepareJoin({ api, meetingId, isGuest }) : undefined;
      const { data } = await api.POST('/v1/meetings/{meetingId}/join', {
        params: { path: { meetingId } },
        body: {
          ...(choices.displayName && { displayName: choices.displayName }),
          ...(choices.passcode && { passcode: choices.passcode }),
          ...(device && { deviceId: device.deviceId }),
        },
      });
      if (!data) throw new Error('no answer');
      const deviceId = device?.deviceId;
      setStage(
        data.status === 'waiting'
          ? { kind: 'waiting', ticket: data.ticket, choices, ...(deviceId && { deviceId }) }
          : { kind: 'room', admitted: data, choices, ...(deviceId && { deviceId }) },
      );
      return true;
    } catch (caught) {
      // A guest cannot read the meeting beforehand: the join says when a passcode is needed.
      if (caught instanceof ApiProblem && caught.status === 403 && /passcode/i.test(caught.detail ?? caught.title))
        setNeedsPasscode(true);
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }

  const onLeave = useCallback((reason: LeaveReason) => setStage({ kind: 'left', reason }), []);
  // Upgraded to end to end: the same choices again, now with a device; the new room replaces the old one.
  const roomChoices = stage.kind === 'room' ? stage.choices : undefined;
  const onUpgrade = useCallback(() => {
    if (upgrading.current || !roomChoices) return;
    upgrading.current = true;
    encryption.current = 'e2ee';
    // The whole room rejoins at once: a join that meets a busy dependency (503) is tried again a few times.
    void (async () => {
      for (let attempt = 0; attempt < 5 && !(await join(roomChoices)); attempt++)
        await new Promise((done) => setTimeout(done, 2000 * (attempt + 1)));
    })().finally(() => (upgrading.current = false));
  }, [roomChoices]);
  const waitingChoices = stage.kind === 'waiting' ? stage.choices : undefined;
  const waitingDevice = stage.kind === 'waiting' ? stage.deviceId : undefined;
  const onAdmitted = useCallback(
    (admitted: Admitted) =>
      waitingChoices &&
      setStage({ kind: 'room', admitted, choices: waitingChoices, ...(waitingDevice && { deviceId: waitingDevice }) }),
    [waitingChoices, waitingDevice],
  );
  const onDenied = useCallback(() => setStage({ kind: 'denied' }), []);
  const onCancel = useCallback(() => setStage({ kind: 'prejoin' }), []);

  switch (stage.kind) {
    case 'prejoin':
      return (
        <PreJoin
          title={meeting?.title ?? t('prejoin.title')}
          defaultName={defaultName}
          nameEditable={nameEditable}
          askPasscode={needsPasscode}
          busy={busy}
          error={error}
          onJoin={(choices) => void join(choices)}
        />
      );
    case 'waiting':
      return (
        <WaitingRoom
          api={api}
          meetingId={meetingId}
          ticket={stage.ticket}
          onAdmitted={onAdmitted}
          onDenied={onDenied}
          onCancel={onCancel}
        />
      );
    case 'denied':
      return (
        <section className="narrow">
          <h1>{t('waiting.deniedTitle')}</h1>
          <p role="alert">{t('waiting.denied')}</p>
        </section>
      );
    case 'room':
      return (
        <Suspense fallback={<Loading />}>
          <MeetingRoom
            key={stage.admitted.media.token}
            api={api}
            meetingId={meetingId}
            meeting={meeting}
            admitted={stage.admitted}
            choices={stage.choices}
            {...(stage.deviceId && { deviceId: stage.deviceId })}
            isGuest={isGuest}
            onLeave={onLeave}
            onUpgrade={onUpgrade}
          />
        </Suspense>
      );
    case 'left':
      return (
        <section className="narrow left" aria-labelledby="left-title">
          <h1 id="left-title">{t(`left.${stage.reason}.title`)}</h1>
          <p role="alert">{t(`left.${stage.reason}.body`)}</p>
          {stage.reason === 'left' || stage.reason === 'disconnected' ? (
            <button type="button" className="primary" onClick={() => setStage({ kind: 'prejoin' })}>
              {t('left.rejoin')}
            </button>
          ) : null}
        </section>
      );
  }
}
