import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/client';

export function Loading() {
  const { t } = useTranslation();
  return (
    <p role="status" aria-live="polite" className="status">
      {t('app.loading')}
    </p>
  );
}

/** An error as the user should read it: the API's problem title and detail, and when to retry if it said. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const problem = error instanceof ApiProblem ? error : undefined;
  return (
    <div role="alert" className="notice notice-error">
      <p>
        <strong>{problem?.title ?? t('app.error')}</strong>
        {problem?.detail ? ` — ${problem.detail}` : !problem && error instanceof Error ? ` — ${error.message}` : ''}
      </p>
      {problem?.retryAfterSeconds ? <p>{t('app.tryAgainIn', { seconds: problem.retryAfterSeconds })}</p> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      ) : null}
    </div>
  );
}
