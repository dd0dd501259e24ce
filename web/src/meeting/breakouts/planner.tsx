import { useCallback, useEffect, useId, useMemo, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiClient } from '../../api/client';
import { ErrorNotice } from '../../ui/status';
import type { E2eeEngine } from '../e2ee';

export interface Person {
  /** The participant id (the LiveKit identity). */
  readonly id: string;
  readonly name: string;
}

interface PlanRoom {
  readonly id: string;
  readonly name: string;
  readonly members: readonly string[];
  readonly scope: string;
}
export interface Plan {
  readonly state: 'none' | 'draft' | 'open' | 'closing' | 'closed';
  readonly selfSelect: boolean;
  readonly returnAt?: string;
  readonly rooms: readonly PlanRoom[];
}

interface DraftRoom {
  key: number;
  name: string;
  members: string[];
}

const UNASSIGNED = '';
const DRAG_TYPE = 'application/x-meetplane-participant';

/**
 * The host's breakout rooms: plan in advance or live (named rooms, people
 * dragged into them or placed with a select each, or split N ways), open them,
 * move someone while they are open, visit one, broadcast a message with a
 * countdown, and close them (after a countdown if set).
 */
export function BreakoutPlanner({
  api,
  meetingId,
  people,
  engine,
  e2ee,
  onVisit,
  pollMs = 3000,
}: {
  api: ApiClient;
  meetingId: string;
  /** Everyone in the meeting who can be sent to a breakout (not the host). */
  people: readonly Person[];
  /** The host's key engine in an end-to-end meeting: keys each breakout, seals broadcasts. */
  engine?: E2eeEngine;
  e2ee: boolean;
  onVisit?: (breakoutId: string) => void;
  pollMs?: number;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  const [plan, setPlan] = useState<Plan>();
  const [draft, setDraft] = useState<DraftRoom[]>([
    { key: 1, name: t('breakouts.defaultName', { n: 1 }), members: [] },
    { key: 2, name: t('breakouts.defaultName', { n: 2 }), members: [] },
  ]);
  const [nextKey, setNextKey] = useState(3);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [splitCount, setSplitCount] = useState(2);
  const [splitMode, setSplitMode] = useState<'even' | 'random' | 'choice'>('even');
  const [message, setMessage] = useState('');
  const [broadcastCountdown, setBroadcastCountdown] = useState('');
  const [closeCountdown, setCloseCountdown] = useState('');
  const [notice, setNotice] = useState<string>();

  const path = { params: { path: { meetingId } } };
  const load = useCallback(async () => {
    const { data } = await api.GET('/v1/meetings/{meetingId}/breakouts', { params: { path: { meetingId } } });
    if (data) setPlan(data as Plan);
    return data as Plan | undefined;
  }, [api, meetingId]);

  useEffect(() => {
    let stopped = false;
    const tick = () =>
      void load()
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, pollMs);
        });
    let timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load, pollMs]);

  const live = plan?.state === 'open' || plan?.state === 'closing';
  // The host's engine keys the open breakouts for their members.
  useEffect(() => {
    if (!engine) return;
    engine.setBreakouts(live && plan ? plan.rooms.map((r) => ({ id: r.id, scope: r.scope, members: r.members })) : []);
  }, [engine, live, plan]);

  const nameOf = useMemo(() => new Map(people.map((p) => [p.id, p.name])), [people]);
  const roomOf = (id: string) => draft.findIndex((r) => r.members.includes(id));

  const assign = (personId: string, roomIndex: number) =>
    setDraft((rooms) =>
      rooms.map((r, i) => ({
        ...r,
        members:
          i === roomIndex ? [...r.members.filter((m) => m !== personId), personId] : r.members.filter((m) => m !== personId),
      })),
    );

  const act = async (work: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await work();
      await load();
      if (done) setNotice(done);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const savePlan = () =>
    api.PUT('/v1/meetings/{meetingId}/breakouts', {
      ...path,
      body: { rooms: draft.map((r) => ({ name: r.name.trim(), participants: r.members.filter((m) => nameOf.has(m)) })) },
    });

  const adoptServerDraft = (server: Plan | undefined) => {
    if (!server) return;
    setDraft(server.rooms.map((r, i) => ({ key: i + 1, name: r.name, members: [...r.members] })));
    setNextKey(server.rooms.length + 1);
  };

  const onDrop = (roomIndex: number) => (event: DragEvent) => {
    event.preventDefault();
    const id = event.dataTransfer.getData(DRAG_TYPE);
    if (id) assign(id, roomIndex);
  };
  const allowDrop = (event: DragEvent) => {
    if (event.dataTransfer.types.includes(DRAG_TYPE)) event.preventDefault();
  };

  const personChip = (p: Person) => (
    <li
      key={p.id}
      className="person"
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, p.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <span>{p.name}</span>
      <select
        aria-label={t('breakouts.roomFor', { name: p.name })}
        value={roomOf(p.id) >= 0 ? String(roomOf(p.id)) : UNASSIGNED}
        onChange={(e) => assign(p.id, e.target.value === UNASSIGNED ? -1 : Number(e.target.value))}
      >
        <option value={UNASSIGNED}>{t('breakouts.unassigned')}</option>
        {draft.map((r, i) => (
          <option key={r.key} value={String(i)}>
            {r.name || t('breakouts.defaultName', { n: i + 1 })}
          </option>
        ))}
      </select>
    </li>
  );

  return (
    <section className="breakouts-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('breakouts.title')}</h2>
      {error ? <ErrorNotice error={error} /> : null}
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}

      {!live ? (
        <>
          <fieldset>
            <legend>{t('breakouts.split')}</legend>
            <label>
              {t('breakouts.splitCount')}
              <input type="number" min={1} max={50} value={splitCount} onChange={(e) => setSplitCount(Number(e.target.value))} />
            </label>
            <label>
              {t('breakouts.splitMode')}
              <select value={splitMode} onChange={(e) => setSplitMode(e.target.value as typeof splitMode)}>
                <option value="even">{t('breakouts.mode.even')}</option>
                <option value="random">{t('breakouts.mode.random')}</option>
                <option value="choice">{t('breakouts.mode.choice')}</option>
              </select>
            </label>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  const { data } = await api.PUT('/v1/meetings/{meetingId}/breakouts', {
                    ...path,
                    body: { split: { count: splitCount, mode: splitMode } },
                  });
                  adoptServerDraft(data as Plan | undefined);
                }, t('breakouts.drafted'))
              }
            >
              {t('breakouts.splitAction')}
            </button>
          </fieldset>

          <div className="breakout-draft">
            <div
              className="breakout-room unassigned"
              onDragOver={allowDrop}
              onDrop={onDrop(-1)}
              aria-label={t('breakouts.unassigned')}
            >
              <h3>{t('breakouts.unassigned')}</h3>
              <ul>{people.filter((p) => roomOf(p.id) < 0).map(personChip)}</ul>
            </div>
            {draft.map((room, i) => (
              <div key={room.key} className="breakout-room" onDragOver={allowDrop} onDrop={onDrop(i)}>
                <label>
                  {t('breakouts.roomName', { n: i + 1 })}
                  <input
                    value={room.name}
                    maxLength={60}
                    onChange={(e) => setDraft((rooms) => rooms.map((r, j) => (j === i ? { ...r, name: e.target.value } : r)))}
                  />
                </label>
                <ul>{people.filter((p) => room.members.includes(p.id)).map(personChip)}</ul>
                <button
                  type="button"
                  onClick={() => setDraft((rooms) => rooms.filter((_, j) => j !== i))}
                  aria-label={t('breakouts.removeRoom', { name: room.name })}
                >
                  {t('breakouts.remove')}
                </button>
              </div>
            ))}
          </div>
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                setDraft((rooms) => [
                  ...rooms,
                  { key: nextKey, name: t('breakouts.defaultName', { n: rooms.length + 1 }), members: [] },
                ]);
                setNextKey((k) => k + 1);
              }}
            >
              {t('breakouts.addRoom')}
            </button>
            <button type="button" disabled={busy || draft.length === 0} onClick={() => void act(savePlan, t('breakouts.saved'))}>
              {t('breakouts.save')}
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy || draft.length === 0}
              onClick={() =>
                void act(async () => {
                  // A plan split by choice or by the server is already drafted; anything edited here is saved first.
                  if (!(plan?.state === 'draft' && plan.selfSelect)) await savePlan();
                  await api.POST('/v1/meetings/{meetingId}/breakouts/open', path);
                }, t('breakouts.opened'))
              }
            >
              {t('breakouts.open')}
            </button>
          </div>
        </>
      ) : (
        <>
          <p role="status">
            {plan?.state === 'closing' && plan.returnAt
              ? t('breakouts.closingAt', { time: new Date(plan.returnAt).toLocaleTimeString() })
              : t('breakouts.areOpen')}
          </p>
          <div className="breakout-draft">
            {plan?.rooms.map((room) => (
              <div key={room.id} className="breakout-room">
                <h3>{room.name}</h3>
                <ul>
                  {room.members.map((m) => (
                    <li key={m} className="person">
                      <span>{nameOf.get(m) ?? m}</span>
                      <select
                        aria-label={t('breakouts.moveTo', { name: nameOf.get(m) ?? m })}
                        value={room.id}
                        disabled={busy}
                        onChange={(e) =>
                          void act(() =>
                            api.POST('/v1/meetings/{meetingId}/breakouts/move', {
                              ...path,
                              body: { participantId: m, to: e.target.value },
                            }),
                          )
                        }
                      >
                        {plan.rooms.map((r) => (
                          <option key={r.id} value={r.id}>
                            {r.name}
                          </option>
                        ))}
                      </select>
                    </li>
                  ))}
                </ul>
                {onVisit ? (
                  <button
                    type="button"
                    onClick={() => onVisit(room.id)}
                    aria-label={t('breakouts.visitRoom', { name: room.name })}
                  >
                    {t('breakouts.visit')}
                  </button>
                ) : null}
              </div>
            ))}
          </div>
          <fieldset>
            <legend>{t('breakouts.broadcast')}</legend>
            <label>
              {t('breakouts.message')}
              <textarea value={message} maxLength={500} onChange={(e) => setMessage(e.target.value)} />
            </label>
            <label>
              {t('breakouts.countdown')}
              <input
                type="number"
                min={1}
                max={3600}
                value={broadcastCountdown}
                onChange={(e) => setBroadcastCountdown(e.target.value)}
              />
            </label>
            <button
              type="button"
              disabled={busy || !message.trim()}
              onClick={() =>
                void act(async () => {
                  const countdownSeconds = Number(broadcastCountdown) || undefined;
                  const text = message.trim();
                  const body =
                    e2ee && engine
                      ? { ciphertext: await engine.sealForBreakouts(text), ...(countdownSeconds && { countdownSeconds }) }
                      : { message: text, ...(countdownSeconds && { countdownSeconds }) };
                  await api.POST('/v1/meetings/{meetingId}/breakouts/broadcast', { ...path, body });
                  setMessage('');
                }, t('breakouts.sent'))
              }
            >
              {t('breakouts.send')}
            </button>
          </fieldset>
          <fieldset>
            <legend>{t('breakouts.close')}</legend>
            <label>
              {t('breakouts.closeCountdown')}
              <input type="number" min={0} max={600} value={closeCountdown} onChange={(e) => setCloseCountdown(e.target.value)} />
            </label>
            <button
              type="button"
              className="danger"
              disabled={busy || plan?.state !== 'open'}
              onClick={() =>
                void act(() =>
                  api.POST('/v1/meetings/{meetingId}/breakouts/close', {
                    ...path,
                    body: { countdownSeconds: Number(closeCountdown) || 0 },
                  }),
                )
              }
            >
              {t('breakouts.closeAction')}
            </button>
          </fieldset>
        </>
      )}
    </section>
  );
}
