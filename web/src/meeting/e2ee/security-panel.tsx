import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiClient } from '../../api/client';
import { ErrorNotice } from '../../ui/status';
import type { E2eeState } from './engine';

/**
 * The meeting's security code, for everyone to compare aloud: equal codes mean
 * everyone holds the same key from the same host device. It changes with every
 * epoch, so whenever someone leaves. The host also sees the devices the key
 * was sealed to, with their fingerprints.
 */
export function SecurityPanel({
  state,
  isHost,
  names,
}: {
  state: E2eeState | undefined;
  isHost: boolean;
  /** Display names by participant id, where the room knows them. */
  names?: Readonly<Record<string, string>>;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  return (
    <section className="e2ee-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('e2ee.title')}</h2>
      {state?.securityCode ? (
        <>
          <p>{t('e2ee.compare')}</p>
          <output className="security-code" aria-label={t('e2ee.code')} data-epoch={state.epoch}>
            {state.securityCode}
          </output>
          {state.senderFingerprint ? <p className="muted">{t('e2ee.sender', { fingerprint: state.senderFingerprint })}</p> : null}
        </>
      ) : (
        <p role="status">{t('e2ee.waiting')}</p>
      )}
      {state?.waitingFor !== undefined && state.securityCode ? <p role="status">{t('e2ee.rekeying')}</p> : null}
      {state?.senderChanged ? (
        <p role="alert" className="notice notice-error">
          {t('e2ee.senderChanged')}
        </p>
      ) : null}
      {state?.refused ? (
        <p role="alert" className="notice notice-error">
          {t('e2ee.refused', { reason: state.refused })}
        </p>
      ) : null}
      {isHost && state && state.devices.length > 0 ? (
        <details>
          <summary>{t('e2ee.devices', { count: state.devices.length })}</summary>
          <ul className="device-list">
            {state.devices.map((d) => (
              <li key={d.deviceId}>
                <span>{names?.[d.participantId] ?? d.participantId}</span> <code>{d.fingerprint}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

/** The host's "upgrade to end-to-end" for a standard meeting; nothing turns it back. */
export function UpgradeButton({ api, meetingId, onUpgraded }: { api: ApiClient; meetingId: string; onUpgraded?: () => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <div>
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          if (!window.confirm(t('e2ee.upgradeConfirm'))) return;
          setBusy(true);
          setError(undefined);
          api
            .POST('/v1/meetings/{meetingId}/encryption/upgrade', { params: { path: { meetingId } } })
            .then(() => onUpgraded?.())
            .catch(setError)
            .finally(() => setBusy(false));
        }}
      >
        {t('e2ee.upgrade')}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}
