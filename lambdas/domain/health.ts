export const DEPENDENCIES = ['dynamodb', 'kms', 'livekit'] as const;
export type DependencyName = (typeof DEPENDENCIES)[number];

/** Why a dependency is counted as down, in words safe to show to anyone. */
export type DownReason = 'timeout' | 'unreachable' | 'missing' | 'not-usable' | 'error';

export type DependencyStatus =
  | { readonly status: 'up'; readonly latencyMs: number }
  | { readonly status: 'down'; readonly latencyMs: number; readonly reason: DownReason };

export interface HealthReport {
  readonly site: string;
  readonly region: string;
  readonly status: 'ok' | 'degraded';
  readonly dependencies: Readonly<Record<DependencyName, DependencyStatus>>;
}

export function summariseHealth(
  site: string,
  region: string,
  dependencies: Readonly<Record<DependencyName, DependencyStatus>>,
): { httpStatus: 200 | 503; report: HealthReport; down: DependencyName[] } {
  const down = DEPENDENCIES.filter((name) => dependencies[name].status === 'down');
  return {
    httpStatus: down.length === 0 ? 200 : 503,
    report: { site, region, status: down.length === 0 ? 'ok' : 'degraded', dependencies },
    down,
  };
}
