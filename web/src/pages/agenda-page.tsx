import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { components } from '../api/schema';
import { formattingLocale } from '../i18n';
import { useOrgSession } from '../org-context';
import { ErrorNotice, Loading } from '../ui/status';
import { saveBlob } from './download';

type Occurrence = components['schemas']['OccurrencePage']['items'][number];

const WEEKS_SHOWN = 4;
const userZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The user's occurrences from an hour ago to four weeks ahead, recurring meetings expanded by the API, a page at a time. */
export function AgendaPage() {
  const { api, org } = useOrgSession();
  const { t, i18n } = useTranslation();
  const [items, setItems] = useState<Occurrence[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();

  const load = useCallback(
    async (after?: string) => {
      setError(undefined);
      try {
        const from = new Date(Date.now() - 3600_000).toISOString();
        const to = new Date(Date.now() + WEEKS_SHOWN * 7 * 86400_000).toISOString();
        const { data } = await api.GET('/v1/meetings', { params: { query: { from, to, limit: '50', cursor: after } } });
        setItems((previous) => [...(after ? (previous ?? []) : []), ...(data?.items ?? [])]);
        setCursor(data?.nextCursor);
      } catch (caught) {
        setError(caught);
      }
    },
    [api],
  );
  useEffect(() => void load(), [load]);

  const locale = formattingLocale(i18n.language);
  const day = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long' });
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const byDay = new Map<string, Occurrence[]>();
  for (const item of items ?? []) {
    const key = day.format(new Date(item.startsAt));
    byDay.set(key, [...(byDay.get(key) ?? []), item]);
  }

  async function download(item: Occurrence) {
    try {
      const { response } = await api.GET('/v1/meetings/{meetingId}/invite.ics', {
        params: { path: { meetingId: item.meetingId } },
        parseAs: 'blob',
      });
      saveBlob(await response.blob(), `${item.title.replace(/[^\p{L}\p{N} _-]+/gu, '').trim() || 'meeting'}.ics`);
    } catch (caught) {
      setError(caught);
    }
  }

  async function invite(item: Occurrence) {
    try {
      const { data } = await api.POST('/v1/meetings/{meetingId}/invitations', {
        params: { path: { meetingId: item.meetingId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      });
      setNotice(t('agenda.invited', { count: data?.sent ?? 0 }));
    } catch (caught) {
      setError(caught);
    }
  }

  async function cancel(item: Occurrence) {
    if (!confirm(t('agenda.cancelConfirm', { title: item.title }))) return;
    try {
      await api.DELETE('/v1/meetings/{meetingId}', { params: { path: { meetingId: item.meetingId }, query: {} } });
      setNotice(t('agenda.cancelled', { title: item.title }));
      await load();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section aria-labelledby="agenda-title">
      <div className="row">
        <h1 id="agenda-title">{t('agenda.title')}</h1>
        <Link className="button primary" to={`/${org.slug}/new`}>
          {t('agenda.schedule')}
        </Link>
      </div>
      <p className="muted">{t('agenda.timeZone', { zone: userZone })}</p>
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} onRetry={() => void load()} /> : null}
      {!items ? (
        error ? null : (
          <Loading />
        )
      ) : items.length === 0 ? (
        <p>{t('agenda.empty')}</p>
      ) : (
        [...byDay].map(([label, occurrences]) => (
          <section key={label} className="agenda-day" aria-label={label}>
            <h2>{label}</h2>
            <ul className="agenda-list">
              {occurrences.map((item) => (
                <li key={`${item.meetingId}-${item.startsAt}`} className="agenda-item">
                  <div>
                    <time dateTime={item.startsAt}>{time.format(new Date(item.startsAt))}</time>–
                    <time dateTime={item.endsAt}>{time.format(new Date(item.endsAt))}</time>{' '}
                    <Link to={`/${org.slug}/m/${item.meetingId}`} className="agenda-title">
                      {item.title}
                    </Link>
                    <span className="badges">
                      {item.recurring ? <span className="badge">{t('agenda.recurring')}</span> : null}
                      {item.encryption === 'e2ee' ? <span className="badge secure">{t('agenda.e2ee')}</span> : null}
                      {item.isHost ? <span className="badge">{t('agenda.host')}</span> : null}
                    </span>
                  </div>
                  <div className="actions" role="group" aria-label={item.title}>
                    <Link className="button" to={`/${org.slug}/m/${item.meetingId}`}>
                      {t('agenda.open')}
                    </Link>
                    <button type="button" onClick={() => void download(item)}>
                      {t('agenda.calendar')}
                    </button>
                    {item.isHost ? (
                      <>
                        <Link className="button" to={`/${org.slug}/m/${item.meetingId}/edit`}>
                          {t('agenda.edit')}
                        </Link>
                        <button type="button" onClick={() => void invite(item)}>
                          {t('agenda.invite')}
                        </button>
                        <button type="button" className="danger" onClick={() => void cancel(item)}>
                          {t('agenda.cancel')}
                        </button>
                      </>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
      {cursor ? (
        <button type="button" onClick={() => void load(cursor)}>
          {t('agenda.more')}
        </button>
      ) : null}
    </section>
  );
}
