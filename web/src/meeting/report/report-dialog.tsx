import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiClient } from '../../api/client';
import { ErrorNotice } from '../../ui/status';
import type { ClipRecorder } from './clip-recorder';

export const REPORT_REASONS = ['harassment', 'hate', 'sexual-content', 'violence', 'spam', 'impersonation', 'other'] as const;
type Reason = (typeof REPORT_REASONS)[number];

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Reporting abuse from the meeting: whom (optional), why, what happened, and —
 * only if the participant ticks consent — the last 30 seconds of what they
 * received, which is otherwise never uploaded. A modal dialog: focus moves
 * into it, Escape closes it.
 */
export function ReportDialog({
  api,
  meetingId,
  people,
  recorder,
  initialParticipantId,
  onClose,
}: {
  api: ApiClient;
  meetingId: string;
  people: readonly { id: string; name: string }[];
  recorder?: ClipRecorder;
  initialParticipantId?: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [participantId, setParticipantId] = useState(initialParticipantId ?? '');
  const [reason, setReason] = useState<Reason>('harassment');
  const [details, setDetails] = useState('');
  const [consent, setConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState(false);
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const clip = consent && recorder ? await recorder.clip() : undefined;
      await api.POST('/v1/meetings/{meetingId}/reports', {
        params: { path: { meetingId }, header: { 'Idempotency-Key': idempotencyKey } },
        body: {
          reason,
          ...(details.trim() && { details: details.trim() }),
          ...(participantId && { participantId }),
          ...(clip && { clip: { contentType: clip.contentType, data: toBase64(clip.bytes) } }),
        },
      });
      setSent(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} aria-labelledby={titleId} className="report-dialog" onClose={onClose} onCancel={onClose}>
      <h2 id={titleId}>{t('report.title')}</h2>
      {sent ? (
        <>
          <p role="status">{t('report.sent')}</p>
          <button type="button" onClick={onClose}>
            {t('report.done')}
          </button>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="stack">
          <label>
            {t('report.who')}
            <select value={participantId} onChange={(e) => setParticipantId(e.target.value)}>
              <option value="">{t('report.nobody')}</option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('report.reason')}
            <select value={reason} onChange={(e) => setReason(e.target.value as Reason)} required>
              {REPORT_REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`report.reason.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('report.details')}
            <textarea value={details} maxLength={2000} onChange={(e) => setDetails(e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" checked={consent} disabled={!recorder} onChange={(e) => setConsent(e.target.checked)} />
            {t('report.consent')}
          </label>
          <p className="muted">{t('report.clipNote')}</p>
          {error ? <ErrorNotice error={error} /> : null}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t('report.sending') : t('report.send')}
            </button>
            <button type="button" onClick={onClose}>
              {t('report.cancel')}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
