import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { mailSettingsBody, mailTestBody } from '../../../lambdas/api/schemas/mail.js';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { check, Field, issueOf, Problem, problemIssues, Saved, useLoad, type FieldIssues } from './form-kit';

interface Draft {
  transport: 'smtp' | 'ses';
  host: string;
  port: string;
  secure: boolean;
  username: string;
  password: string;
  from: string;
}

const EMPTY: Draft = { transport: 'smtp', host: '', port: '465', secure: true, username: '', password: '', from: '' };

/** The organisation's own mail transport (its SMTP server, or Amazon SES in the home site's region) and a test message. */
export default function MailPage() {
  const { api } = useOrgSession();
  const { t } = useTranslation();
  const current = useLoad(async () => (await api.GET('/v1/settings/mail')).data, [api]);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [issues, setIssues] = useState<FieldIssues>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [testTo, setTestTo] = useState('');
  const [testIssues, setTestIssues] = useState<FieldIssues>({});
  const [testError, setTestError] = useState<unknown>();
  const [testSent, setTestSent] = useState<string>();
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    const m = current.data;
    if (!m?.configured) return;
    setDraft({
      transport: m.transport ?? 'smtp',
      host: m.host ?? '',
      port: String(m.port ?? 465),
      secure: m.secure ?? true,
      username: m.username ?? '',
      password: '',
      from: m.from ?? '',
    });
  }, [current.data]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    const body =
      draft.transport === 'ses'
        ? { transport: 'ses', from: draft.from.trim() }
        : {
            transport: 'smtp',
            host: draft.host.trim(),
            port: Number(draft.port),
            secure: draft.secure,
            ...(draft.username.trim() && { username: draft.username.trim() }),
            ...(draft.password && { password: draft.password }),
            from: draft.from.trim(),
          };
    const checked = check(mailSettingsBody, body);
    if (!checked.ok) return setIssues(checked.issues);
    setIssues({});
    try {
      const { data } = await api.PUT('/v1/settings/mail', { body: checked.data });
      if (data) current.setData(data);
      setSaved(t('admin.saved'));
      set('password', '');
    } catch (caught) {
      setError(caught);
      setIssues(problemIssues(caught));
    }
  }

  async function test(event: FormEvent) {
    event.preventDefault();
    setTestError(undefined);
    setTestSent(undefined);
    const checked = check(mailTestBody, { to: testTo.trim() });
    if (!checked.ok) return setTestIssues(checked.issues);
    setTestIssues({});
    setTesting(true);
    try {
      await api.POST('/v1/settings/mail/test', { body: checked.data });
      setTestSent(t('admin.mail.testSent', { to: checked.data.to }));
    } catch (caught) {
      setTestError(caught);
      setTestIssues(problemIssues(caught));
    } finally {
      setTesting(false);
    }
  }

  if (!current.data) return current.error ? <Problem error={current.error} onRetry={() => void current.reload()} /> : <Loading />;
  const m = current.data;
  return (
    <section aria-labelledby="mail-title" className="narrow">
      <h1 id="mail-title">{t('admin.mail.title')}</h1>
      <p>{t('admin.mail.intro')}</p>
      <p className="notice" data-testid="mail-current">
        {!m.configured
          ? t('admin.mail.notConfigured')
          : m.transport === 'ses'
            ? t('admin.mail.currentSes', { region: m.region ?? '', from: m.from ?? '' })
            : t('admin.mail.currentSmtp', { host: m.host ?? '', port: m.port ?? 0, from: m.from ?? '' })}
      </p>
      <form onSubmit={(e) => void save(e)} noValidate>
        <Problem error={error} />
        <Saved text={saved} />
        <fieldset>
          <legend>{t('admin.mail.transport')}</legend>
          <label className="check">
            <input
              type="radio"
              name="transport"
              value="smtp"
              checked={draft.transport === 'smtp'}
              onChange={() => set('transport', 'smtp')}
            />
            {t('admin.mail.smtp')}
          </label>
          <label className="check">
            <input
              type="radio"
              name="transport"
              value="ses"
              checked={draft.transport === 'ses'}
              onChange={() => set('transport', 'ses')}
            />
            {t('admin.mail.ses')}
          </label>
        </fieldset>
        {draft.transport === 'smtp' ? (
          <>
            <Field label={t('admin.mail.host')} hint={t('admin.mail.hostHint')} issue={issueOf(issues, 'host')}>
              {(props) => <input {...props} name="host" value={draft.host} onChange={(e) => set('host', e.target.value)} />}
            </Field>
            <Field label={t('admin.mail.port')} issue={issueOf(issues, 'port')}>
              {(props) => (
                <input
                  {...props}
                  name="port"
                  type="number"
                  inputMode="numeric"
                  value={draft.port}
                  onChange={(e) => set('port', e.target.value)}
                />
              )}
            </Field>
            <label className="check">
              <input type="checkbox" name="secure" checked={draft.secure} onChange={(e) => set('secure', e.target.checked)} />
              {t('admin.mail.secure')}
            </label>
            <Field label={t('admin.mail.username')} issue={issueOf(issues, 'username')}>
              {(props) => (
                <input
                  {...props}
                  name="username"
                  autoComplete="off"
                  value={draft.username}
                  onChange={(e) => set('username', e.target.value)}
                />
              )}
            </Field>
            <Field label={t('admin.mail.password')} hint={t('admin.mail.passwordHint')} issue={issueOf(issues, 'password')}>
              {(props) => (
                <input
                  {...props}
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  value={draft.password}
                  onChange={(e) => set('password', e.target.value)}
                />
              )}
            </Field>
          </>
        ) : (
          <p className="muted">{t('admin.mail.sesHint')}</p>
        )}
        <Field label={t('admin.mail.from')} issue={issueOf(issues, 'from')}>
          {(props) => (
            <input {...props} name="from" type="email" value={draft.from} onChange={(e) => set('from', e.target.value)} />
          )}
        </Field>
        {issueOf(issues, 'transport') ? <p className="field-error">{issueOf(issues, 'transport')}</p> : null}
        <button type="submit" className="primary">
          {t('admin.save')}
        </button>
      </form>

      <form onSubmit={(e) => void test(e)} noValidate aria-labelledby="mail-test-title" className="card">
        <h2 id="mail-test-title">{t('admin.mail.testTitle')}</h2>
        <Problem error={testError} />
        <Saved text={testSent} />
        <Field label={t('admin.mail.testTo')} issue={issueOf(testIssues, 'to')}>
          {(props) => <input {...props} name="to" type="email" value={testTo} onChange={(e) => setTestTo(e.target.value)} />}
        </Field>
        <button type="submit" disabled={testing || !m.configured}>
          {t('admin.mail.sendTest')}
        </button>
      </form>
    </section>
  );
}
