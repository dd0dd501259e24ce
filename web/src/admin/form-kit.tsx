import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type * as z from 'zod';
import { ApiProblem } from '../api/client';
import { ErrorNotice } from '../ui/status';

/** Messages per field (`webhook.url`, `emails.0`); '' is the form as a whole. */
export type FieldIssues = Readonly<Record<string, string>>;

/**
 * Checks a request body with the API's own zod schema (imported from
 * lambdas/api/schemas, so the browser refuses exactly what the API would) and
 * names each field that is wrong, as the API's problem details would.
 */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; data: z.output<S> } | { ok: false; issues: FieldIssues } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const issues: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.');
    issues[field] ??= issue.message;
  }
  return { ok: false, issues };
}

/** The fields an API problem names, keyed as the form names them. */
export function problemIssues(error: unknown): FieldIssues {
  if (!(error instanceof ApiProblem)) return {};
  const issues: Record<string, string> = {};
  for (const e of error.fieldErrors) if (e.field && e.message) issues[e.field] ??= e.message;
  return issues;
}

/** The issue of a field, or of any field under it (`emails` shows `emails.2`'s). */
export function issueOf(issues: FieldIssues, name: string): string | undefined {
  if (issues[name] !== undefined) return issues[name];
  const nested = Object.keys(issues).find((k) => k.startsWith(`${name}.`));
  return nested === undefined ? undefined : issues[nested];
}

/** A labelled control with its hint and the problem beside it, tied together for screen readers. */
export function Field({
  label,
  hint,
  issue,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  issue?: string;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', issue ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(issue && { 'aria-invalid': true }), ...(described && { 'aria-describedby': described }) })}
      {hint ? (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      ) : null}
      {issue ? (
        <small id={`${id}-error`} className="field-error">
          {issue}
        </small>
      ) : null}
    </div>
  );
}

/**
 * An API failure as a page shows it: a 412 says that someone else changed the
 * setting and offers to reload it; a 503 says when to try again (ErrorNotice);
 * field errors are shown beside their fields, and here only when the form has
 * no such field.
 */
export function Problem({ error, onReload, onRetry }: { error: unknown; onReload?: () => void; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  if (error instanceof ApiProblem && error.status === 412) {
    return (
      <div role="alert" className="notice notice-error">
        <p>{t('admin.conflict')}</p>
        {onReload ? (
          <button type="button" onClick={onReload}>
            {t('admin.reload')}
          </button>
        ) : null}
      </div>
    );
  }
  return <ErrorNotice error={error} onRetry={onRetry} />;
}

/** A read of the API that a page shows: its data, its failure and a way to read it again. */
export function useLoad<T>(read: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const load = useCallback(read, deps);
  const reload = useCallback(async () => {
    setLoading(true);
    setError(undefined);
    try {
      setData(await load());
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  }, [load]);
  useEffect(() => void reload(), [reload]);
  return { data, setData, error, loading, reload };
}

/** A short-lived confirmation shown after a change, announced politely. */
export function Saved({ text }: { text?: string }) {
  return text ? (
    <p role="status" className="notice">
      {text}
    </p>
  ) : null;
}

/**
 * One form's submission: the body checked with the API's schema (issues beside
 * their fields), then sent once; a failure's problem is shown and the fields it
 * names are marked; what `send` returns is the confirmation shown.
 */
export function useSubmission() {
  const [issues, setIssues] = useState<FieldIssues>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  // One Idempotency-Key per intended change: a retry of a failed send reuses it, a success starts the next one.
  const idempotencyKey = useRef(crypto.randomUUID());

  async function submit<S extends z.ZodType>(
    schema: S,
    body: unknown,
    send: (data: z.output<S>, idempotencyKey: string) => Promise<string | undefined>,
  ): Promise<boolean> {
    setError(undefined);
    setSaved(undefined);
    const checked = check(schema, body);
    if (!checked.ok) {
      setIssues(checked.issues);
      return false;
    }
    setIssues({});
    setBusy(true);
    try {
      setSaved(await send(checked.data, idempotencyKey.current));
      idempotencyKey.current = crypto.randomUUID();
      return true;
    } catch (caught) {
      setError(caught);
      setIssues(problemIssues(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { issues, setIssues, error, setError, saved, setSaved, busy, submit };
}

/** A choice of one among a few, as radio buttons under a legend. */
export function RadioChoice<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: ReactNode;
  name: string;
  value: V;
  options: readonly { readonly value: V; readonly label: ReactNode }[];
  onChange: (value: V) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="check">
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
