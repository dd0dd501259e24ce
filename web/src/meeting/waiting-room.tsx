import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiClient } from '../api/client';
import type { Admitted } from './room-context';

const POLL_MS = 2_000;

interface Props {
  readonly api: ApiClient;
  readonly meetingId: string;
  readonly ticket: string;
  readonly onAdmitted: (admitted: Admitted) => void;
  readonly onDenied: () => void;
  readonly onCancel: () => void;
}

/** The waiting room: polls the ticket until a host admits (media in the answer) or turns the participant away. */
export function WaitingRoom({ api, meetingId, ticket, onAdmitted, onDenied, onCancel }: Props) {
  const { t } = useTranslation();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { data } = await api.GET('/v1/meetings/{meetingId}/lobby/{ticket}', {
          params: { path: { meetingId, ticket } },
        });
        if (stopped || !data) return;
        if (data.status === 'admitted') return onAdmitted(data);
        if (data.status === 'denied') return onDenied();
      } catch {
        // A failed poll (network, a busy site) is retried at the next tick.
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, meetingId, ticket, onAdmitted, onDenied]);

  return (
    <section className="waiting narrow" aria-labelledby="waiting-title">
      <h1 id="waiting-title">{t('waiting.title')}</h1>
      <p role="status" aria-live="polite">
        {t('waiting.body')}
      </p>
      <div className="spinner" aria-hidden="true" />
      <button type="button" onClick={onCancel}>
        {t('waiting.cancel')}
      </button>
    </section>
  );
}
