import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useOrgSession } from '../org-context';
import { Loading } from '../ui/status';
import { Problem, useLoad } from './form-kit';

interface Place {
  readonly site: string;
  readonly city: string;
  readonly region?: string;
}

const placeText = (p: Place) => [p.site, p.city, p.region].filter(Boolean).join(' · ');

/** Where the organisation's data and media are, its key and plan, and per data class the site that holds it and for how long: all read from the API. */
export default function OverviewPage() {
  const { api, org } = useOrgSession();
  const { t } = useTranslation();
  const { data, error, reload } = useLoad(async () => (await api.GET('/v1/settings/organisation')).data, [api]);

  if (!data) return error ? <Problem error={error} onRetry={() => void reload()} /> : <Loading />;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('admin.overview.title')}</h1>
      <dl className="facts">
        <dt>{t('admin.overview.organisation')}</dt>
        <dd>
          {data.slug}
          {data.vanityDomain ? ` (${data.vanityDomain})` : ''}
        </dd>
        <dt>{t('admin.overview.plan')}</dt>
        <dd>{t(`admin.tier.${data.tier}`)}</dd>
        <dt>{t('admin.overview.status')}</dt>
        <dd>{t(`admin.status.${data.status}`)}</dd>
        <dt>{t('admin.overview.homeSite')}</dt>
        <dd>{placeText(data.homeSite)}</dd>
        <dt>{t('admin.overview.allowedSites')}</dt>
        <dd>{data.allowedSites.map(placeText).join(', ')}</dd>
        <dt>{t('admin.overview.data')}</dt>
        <dd>{placeText(data.data)}</dd>
        <dt>{t('admin.overview.media')}</dt>
        <dd>
          <ul className="plain">
            {data.media.map((m) => (
              <li key={m.site}>
                {placeText(m)} — {t(`admin.overview.mediaRole.${m.role}`)}
              </li>
            ))}
          </ul>
        </dd>
        <dt>{t('admin.overview.keyMode')}</dt>
        <dd>{t(`admin.overview.key.${data.key.mode}`)}</dd>
        <dt>{t('admin.overview.keyArn')}</dt>
        <dd>
          <code className="wrap">{data.key.keyArn}</code>
        </dd>
        <dt>{t('admin.overview.rotationLabel')}</dt>
        <dd>{t(`admin.overview.rotation.${data.key.rotation}`)}</dd>
      </dl>

      <h2 id="residency-title">{t('admin.residency.title')}</h2>
      <p className="muted">{t('admin.residency.intro')}</p>
      <table aria-labelledby="residency-title" data-testid="residency">
        <thead>
          <tr>
            <th scope="col">{t('admin.residency.class')}</th>
            <th scope="col">{t('admin.residency.sites')}</th>
            <th scope="col">{t('admin.residency.region')}</th>
            <th scope="col">{t('admin.residency.retention')}</th>
            <th scope="col">{t('admin.residency.sealed')}</th>
          </tr>
        </thead>
        <tbody>
          {data.residency.map((row) => (
            <tr key={row.dataClass} data-class={row.dataClass}>
              <th scope="row">{t(`admin.class.${row.dataClass}`)}</th>
              <td>{row.sites.join(', ')}</td>
              <td>{row.region ?? '—'}</td>
              <td>
                {row.retentionDays === undefined
                  ? t('admin.residency.whileTenant')
                  : t('admin.residency.days', { count: row.retentionDays })}
                {row.adjustable ? (
                  <>
                    {' '}
                    <Link
                      to={`/${org.slug}/admin/retention`}
                      aria-label={t('admin.residency.changeNamed', { name: t(`admin.class.${row.dataClass}`) })}
                    >
                      {t('admin.residency.change')}
                    </Link>
                  </>
                ) : null}
              </td>
              <td>{row.sealed ? t('admin.yes') : t('admin.no')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
