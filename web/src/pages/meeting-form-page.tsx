import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiProblem } from '../api/client';
import type { components } from '../api/schema';
import { useOrgSession } from '../org-context';
import { ErrorNotice, Loading } from '../ui/status';

type Meeting = components['schemas']['Meeting'];
type Repeat = 'none' | 'daily' | 'weekdays' | 'weekly';

interface FormState {
  title: string;
  date: string;
  time: string;
  durationMinutes: number;
  timeZone: string;
  repeat: Repeat;
  count: number;
  waitingRoom: boolean;
  passcode: string;
  invitees: string;
  encryption: 'standard' | 'e2ee';
}

const userZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The wall-clock date and time of an instant in a zone, as the form's date and time inputs hold them. */
function wallClock(instant: Date, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** The instant at which a zone's clock shows this date and time (found by correcting the zone's offset twice, for DST edges). */
function instantOf(date: string, time: string, timeZone: string): Date {
  const target = Date.parse(`${date}T${time}:00Z`);
  let guess = target;
  for (let i = 0; i < 2; i++) {
    const shown = wallClock(new Date(guess), timeZone);
    guess += target - Date.parse(`${shown.date}T${shown.time}:00Z`);
  }
  return new Date(guess);
}

const RRULES: Record<Exclude<Repeat, 'none'>, string> = {
  daily: 'FREQ=DAILY',
  weekdays: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  weekly: 'FREQ=WEEKLY',
};

function repeatOf(recurrence: string | undefined): { repeat: Repeat; count: number } {
  if (!recurrence) return { repeat: 'none', count: 10 };
  const count = Number(/COUNT=(\d+)/.exec(recurrence)?.[1] ?? '10');
  if (recurrence.includes('BYDAY=MO,TU,WE,TH,FR')) return { repeat: 'weekdays', count };
  if (recurrence.startsWith('FREQ=DAILY')) return { repeat: 'daily', count };
  return { repeat: 'weekly', count };
}

function initialState(meeting?: Meeting): FormState {
  if (meeting) {
    const { date, time } = wallClock(new Date(meeting.startsAt), meeting.timeZone);
    return {
      title: meeting.title,
      date,
      time,
      durationMinutes: meeting.durationMinutes,
      timeZone: meeting.timeZone,
      ...repeatOf(meeting.recurrence),
      waitingRoom: meeting.waitingRoom,
      passcode: '',
      invitees: (meeting.invitees ?? []).join('\n'),
      encryption: meeting.encryption,
    };
  }
  const start = new Date(Math.ceil(Date.now() / 1_800_000) * 1_800_000);
  return {
    title: '',
    ...wallClock(start, userZone),
    durationMinutes: 60,
    timeZone: userZone,
    repeat: 'none',
    count: 10,
    waitingRoom: true,
    passcode: '',
    invitees: '',
    encryption: 'standard',
  };
}

/** Schedules a meeting, or edits one (with If-Match: a change made meanwhile by someone else is not overwritten). */
export function MeetingFormPage() {
  const { meetingId } = useParams();
  const { api, org } = useOrgSession();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const formId = useId();
  const idempotencyKey = useRef(crypto.randomUUID());
  const [meeting, setMeeting] = useState<Meeting>();
  const [form, setForm] = useState<FormState>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!meetingId) {
      setForm(initialState());
      return;
    }
    api
      .GET('/v1/meetings/{meetingId}', { params: { path: { meetingId } } })
      .then(({ data }) => {
        setMeeting(data);
        setForm(initialState(data));
      })
      .catch(setError);
  }, [api, meetingId]);

  if (!form) return error ? <ErrorNotice error={error} /> : <Loading />;
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm({ ...form, [key]: value });
  const fieldErrors = error instanceof ApiProblem ? error.fieldErrors : [];
  const errorFor = (field: string) => fieldErrors.find((e) => e.field === field || e.field?.startsWith(`${field}.`));
  const field = (name: string) => {
    const issue = errorFor(name);
    return {
      id: `${formId}-${name}`,
      name,
      'aria-invalid': issue ? true : undefined,
      'aria-describedby': issue ? `${formId}-${name}-error` : undefined,
    };
  };
  const issueText = (name: string) => {
    const issue = errorFor(name);
    return issue ? (
      <small id={`${formId}-${name}-error`} className="field-error">
        {issue.message}
      </small>
    ) : null;
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    setBusy(true);
    setError(undefined);
    const body = {
      title: form.title,
      startsAt: instantOf(form.date, form.time, form.timeZone).toISOString(),
      durationMinutes: form.durationMinutes,
      timeZone: form.timeZone,
      waitingRoom: form.waitingRoom,
      encryption: form.encryption,
      invitees: form.invitees
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
    const recurrence = form.repeat === 'none' ? undefined : `${RRULES[form.repeat]};COUNT=${form.count}`;
    try {
      if (meeting) {
        await api.PATCH('/v1/meetings/{meetingId}', {
          params: { path: { meetingId: meeting.id }, header: { 'If-Match': meeting.etag } },
          body: { ...body, recurrence: recurrence ?? null, ...(form.passcode ? { passcode: form.passcode } : {}) },
        });
      } else {
        await api.POST('/v1/meetings', {
          params: { header: { 'Idempotency-Key': idempotencyKey.current } },
          body: { ...body, recurrence, passcode: form.passcode || undefined },
        });
      }
      await navigate(`/${org.slug}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const conflict = error instanceof ApiProblem && (error.status === 412 || error.status === 409);
  return (
    <section aria-labelledby={`${formId}-title`} className="narrow">
      <h1 id={`${formId}-title`}>{meeting ? t('form.editTitle') : t('form.newTitle')}</h1>
      <Link to={`/${org.slug}`}>{t('form.back')}</Link>
      {conflict ? (
        <p role="alert" className="notice notice-error">
          {t('form.conflict')}
        </p>
      ) : error ? (
        <ErrorNotice error={error} />
      ) : null}
      <form onSubmit={(e) => void submit(e)} className="stack" noValidate>
        <label htmlFor={`${formId}-title-input`}>{t('form.title')}</label>
        <input
          {...field('title')}
          id={`${formId}-title-input`}
          required
          maxLength={200}
          value={form.title}
          onChange={(e) => set('title', e.target.value)}
        />
        {issueText('title')}
        <div className="row">
          <span className="stack">
            <label htmlFor={`${formId}-date`}>{t('form.date')}</label>
            <input
              {...field('startsAt')}
              id={`${formId}-date`}
              type="date"
              required
              value={form.date}
              onChange={(e) => set('date', e.target.value)}
            />
          </span>
          <span className="stack">
            <label htmlFor={`${formId}-time`}>{t('form.time')}</label>
            <input id={`${formId}-time`} type="time" required value={form.time} onChange={(e) => set('time', e.target.value)} />
          </span>
          <span className="stack">
            <label htmlFor={`${formId}-durationMinutes`}>{t('form.duration')}</label>
            <input
              {...field('durationMinutes')}
              type="number"
              min={1}
              max={1440}
              required
              value={form.durationMinutes}
              onChange={(e) => set('durationMinutes', Number(e.target.value))}
            />
          </span>
        </div>
        {issueText('startsAt')}
        {issueText('durationMinutes')}
        <label htmlFor={`${formId}-timeZone`}>{t('form.zone')}</label>
        <select {...field('timeZone')} value={form.timeZone} onChange={(e) => set('timeZone', e.target.value)}>
          {[...new Set([form.timeZone, ...Intl.supportedValuesOf('timeZone')])].map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
        <div className="row">
          <span className="stack">
            <label htmlFor={`${formId}-recurrence`}>{t('form.repeat')}</label>
            <select {...field('recurrence')} value={form.repeat} onChange={(e) => set('repeat', e.target.value as Repeat)}>
              {(['none', 'daily', 'weekdays', 'weekly'] as const).map((r) => (
                <option key={r} value={r}>
                  {t(`form.repeat.${r}`)}
                </option>
              ))}
            </select>
          </span>
          {form.repeat !== 'none' ? (
            <span className="stack">
              <label htmlFor={`${formId}-count`}>{t('form.repeatCount')}</label>
              <input
                id={`${formId}-count`}
                type="number"
                min={2}
                max={365}
                value={form.count}
                onChange={(e) => set('count', Number(e.target.value))}
              />
            </span>
          ) : null}
        </div>
        {issueText('recurrence')}
        <label className="check">
          <input type="checkbox" checked={form.waitingRoom} onChange={(e) => set('waitingRoom', e.target.checked)} />
          {t('form.waitingRoom')}
        </label>
        <label htmlFor={`${formId}-passcode`}>{t('form.passcode')}</label>
        <input
          {...field('passcode')}
          autoComplete="off"
          value={form.passcode}
          onChange={(e) => set('passcode', e.target.value)}
        />
        {issueText('passcode')}
        <label htmlFor={`${formId}-invitees`}>{t('form.invitees')}</label>
        <textarea {...field('invitees')} rows={3} value={form.invitees} onChange={(e) => set('invitees', e.target.value)} />
        {issueText('invitees')}
        <fieldset>
          <legend>{t('form.encryption')}</legend>
          {(['standard', 'e2ee'] as const).map((mode) => (
            <label key={mode} className="check">
              <input
                type="radio"
                name="encryption"
                value={mode}
                checked={form.encryption === mode}
                onChange={() => set('encryption', mode)}
              />
              {t(`form.encryption.${mode}`)}
            </label>
          ))}
        </fieldset>
        {issueText('encryption')}
        <button type="submit" className="primary" disabled={busy}>
          {meeting ? t('form.save') : t('form.create')}
        </button>
      </form>
    </section>
  );
}
