import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/status';
import type { BreakoutFollower, FollowerState } from './follower';

/** Seconds left until `at`, ticking. */
function useSecondsLeft(at: string | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!at) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at ? Math.max(0, Math.ceil((Date.parse(at) - now) / 1000)) : undefined;
}

export function useFollower(follower: BreakoutFollower | undefined): FollowerState | undefined {
  const [state, setState] = useState<FollowerState | undefined>(follower?.getState());
  useEffect(() => {
    if (!follower) return undefined;
    setState(follower.getState());
    return follower.subscribe(setState);
  }, [follower]);
  return state;
}

/**
 * What a participant sees of the breakouts: where they are (or are going),
 * the host's message and countdown, and when everyone returns.
 */
export function BreakoutStatus({
  state,
  openBroadcast,
  onChoose,
}: {
  state: FollowerState | undefined;
  /** An end-to-end meeting's key session: opens the host's sealed broadcast. */
  openBroadcast?: (ciphertext: string) => Promise<string>;
  onChoose?: (breakoutId: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [choosing, setChoosing] = useState(false);
  const [chooseError, setChooseError] = useState<unknown>();
  const returnIn = useSecondsLeft(state?.returnAt);
  const countdown = useSecondsLeft(state?.message?.countdownEndsAt);
  const [text, setText] = useState<string>();
  const sealed = state?.message?.sealed;
  const plain = state?.message?.text;
  useEffect(() => {
    if (plain !== undefined) return setText(plain);
    if (!sealed) return setText(undefined);
    if (!openBroadcast) return setText(t('breakouts.sealedMessage'));
    let cancelled = false;
    // The key of the epoch it was sealed with may still be on its way (an epoch begun elsewhere reaches a breakout with
    // the next placement, and its key with the host's next sealing): try again for a minute.
    const attempt = (left: number) =>
      openBroadcast(sealed)
        .then((opened) => !cancelled && setText(opened))
        .catch(() => {
          if (cancelled) return;
          if (left > 0) setTimeout(() => void attempt(left - 1), 1000);
          else setText(t('breakouts.sealedMessage'));
        });
    void attempt(60);
    return () => {
      cancelled = true;
    };
  }, [plain, sealed, openBroadcast, t]);
  if (!state || (state.state !== 'open' && state.state !== 'closing' && !state.moving)) return null;
  return (
    <section className="breakout-status" aria-live="polite">
      {state.moving ? <p role="status">{t('breakouts.moving')}</p> : null}
      {state.breakout ? (
        <p>{t('breakouts.youAreIn', { name: state.breakout.name })}</p>
      ) : state.state === 'open' ? (
        <p>{t('breakouts.inMain')}</p>
      ) : null}
      {state.choices && onChoose ? (
        <div role="group" aria-label={t('breakouts.chooseTitle')} className="breakout-choices">
          <p>{t('breakouts.chooseTitle')}</p>
          {chooseError ? <ErrorNotice error={chooseError} /> : null}
          {state.choices.map((choice) =>
            choice.id === state.breakout?.id ? (
              <button key={choice.id} type="button" disabled aria-current="true">
                {t('breakouts.chosenRoom', { name: choice.name })}
              </button>
            ) : (
              <button
                key={choice.id}
                type="button"
                disabled={choosing || state.moving}
                onClick={() => {
                  setChoosing(true);
                  setChooseError(undefined);
                  onChoose(choice.id)
                    .catch(setChooseError)
                    .finally(() => setChoosing(false));
                }}
              >
                {t('breakouts.chooseRoom', { name: choice.name })}
              </button>
            ),
          )}
        </div>
      ) : null}
      {text ? (
        <p className="notice">
          <strong>{t('breakouts.fromHost')}</strong> {text}
        </p>
      ) : null}
      {countdown !== undefined ? <p>{t('breakouts.countdownLeft', { seconds: countdown })}</p> : null}
      {returnIn !== undefined ? (
        <p role="timer" aria-label={t('breakouts.returnTimer')}>
          {t('breakouts.returningIn', { seconds: returnIn })}
        </p>
      ) : null}
    </section>
  );
}
