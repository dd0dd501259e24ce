import { call, ROUTE_OF, settled, type LoadRun, type Sample } from './load.js';

/**
 * What must hold of a scenario: only documented statuses and never a 500;
 * prompt answers while the dependency is down; no errors two seconds after it
 * answers again; every 503 succeeds on retry, with its Idempotency-Key, once;
 * every created meeting reads back, and none was made twice.
 */
export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail?: string;
}

/** While a dependency is down, every request is answered within this. */
export const PROMPT_MS = 3000;
/** After it answers again, errors stop within this. */
export const RECOVERY_MS = 2000;

const check = (name: string, failures: readonly string[]): Check => ({
  name,
  passed: failures.length === 0,
  ...(failures.length > 0 && { detail: `${failures.length}: ${failures.slice(0, 3).join('; ')}` }),
});

const describe = (s: Sample) => `${s.op} at ${(s.startMs / 1000).toFixed(1)} s → ${s.status} in ${Math.round(s.ms)} ms`;

export async function checkScenario(
  load: LoadRun,
  samples: readonly Sample[],
  options: { faultToMs: number; documented: Record<string, readonly number[]> },
): Promise<Check[]> {
  const checks: Check[] = [];
  const tenant = load.tenant;

  checks.push(
    check(
      'only documented statuses, no 500, every request answered',
      samples
        .filter(
          (s) =>
            s.status === 0 || (s.status >= 500 && s.status !== 503) || !options.documented[ROUTE_OF[s.op]]!.includes(s.status),
        )
        .map(describe),
    ),
  );
  checks.push(
    check(
      `a 503 says when to retry (Retry-After)`,
      samples.filter((s) => s.status === 503 && !(Number(s.retryAfter) >= 1)).map(describe),
    ),
  );
  checks.push(
    check(`every request answered within ${PROMPT_MS / 1000} s`, samples.filter((s) => s.ms > PROMPT_MS).map(describe)),
  );
  checks.push(
    check(
      `no errors from ${RECOVERY_MS / 1000} s after the dependency answers again`,
      samples.filter((s) => s.startMs >= options.faultToMs + RECOVERY_MS && s.status >= 300).map(describe),
    ),
  );

  // Retry what got a 503 (or no answer), as a client would: the same request, the same Idempotency-Key.
  const retryFailures: string[] = [];
  const createdIds = new Map<string, string>();
  for (const s of samples.filter((x) => x.op === 'create' && x.status === 201)) createdIds.set(s.title!, s.meetingId!);
  for (const s of samples.filter((x) => x.status === 503 || x.status === 0)) {
    if (s.op === 'create') {
      let answer = await settled(() => call(tenant, 'POST', '/v1/meetings', s.body, { 'idempotency-key': s.idempotencyKey! }));
      // The first attempt's claim on the key lasts as long as it could have run: a retry before then is told to wait.
      for (let i = 0; i < 8 && answer.status === 409; i++) {
        await new Promise((done) => setTimeout(done, 1000));
        answer = await call(tenant, 'POST', '/v1/meetings', s.body, { 'idempotency-key': s.idempotencyKey! });
      }
      const id = (answer.body as { id?: string } | undefined)?.id;
      if (answer.status !== 201 || !id) retryFailures.push(`${describe(s)}; retry → ${answer.status}`);
      else createdIds.set(s.title!, id);
    } else if (s.op === 'update') {
      const { etag, title } = s.body as { etag: string; title: string };
      const answer = await settled(() => call(tenant, 'PATCH', `/v1/meetings/${s.meetingId}`, { title }, { 'if-match': etag }));
      if (answer.status === 200) continue;
      // 412: the version it named is gone. Only right if the first attempt landed after all: then the change is there, once.
      const now = await settled(() => call(tenant, 'GET', `/v1/meetings/${s.meetingId}`));
      const meeting = now.body as { title?: string; version?: number } | undefined;
      if (!(answer.status === 412 && meeting?.title === title && now.headers.get('etag') === `"v2"`))
        retryFailures.push(`${describe(s)}; retry → ${answer.status}, meeting at ${now.headers.get('etag')}`);
    } else {
      const answer = await settled(() => call(tenant, 'POST', `/v1/meetings/${s.meetingId}/join`, {}));
      if (answer.status !== 200) retryFailures.push(`${describe(s)}; retry → ${answer.status}`);
    }
  }
  checks.push(check('every 503 succeeds on retry', retryFailures));

  // Every change made (first time or on retry) is there exactly once: each changed meeting at version 2 with its title.
  const updateFailures: string[] = [];
  for (const s of samples.filter((x) => x.op === 'update')) {
    const now = await settled(() => call(tenant, 'GET', `/v1/meetings/${s.meetingId}`));
    const meeting = now.body as { title?: string } | undefined;
    if (now.status !== 200 || meeting?.title !== s.title || now.headers.get('etag') !== `"v2"`)
      updateFailures.push(`${s.meetingId}: ${now.status} ${now.headers.get('etag')}`);
  }
  checks.push(check('every change is there, once', updateFailures));

  // Every meeting created reads back, and the day's listing has each title exactly once.
  const readFailures: string[] = [];
  for (const [title, id] of createdIds) {
    const now = await settled(() => call(tenant, 'GET', `/v1/meetings/${id}`));
    if (now.status !== 200 || (now.body as { title?: string } | undefined)?.title !== title)
      readFailures.push(`${id}: ${now.status}`);
  }
  checks.push(check(`every created meeting reads back (${createdIds.size})`, readFailures));

  const titles = new Map<string, number>();
  const { from, to } = load.window;
  let cursor: string | undefined;
  let listed = true;
  do {
    const query = new URLSearchParams({ from, to, limit: '100', ...(cursor && { cursor }) });
    const page = await settled(() => call(tenant, 'GET', `/v1/meetings?${query}`));
    if (page.status !== 200) {
      listed = false;
      break;
    }
    const body = page.body as { items: { title: string }[]; nextCursor?: string };
    for (const item of body.items) titles.set(item.title, (titles.get(item.title) ?? 0) + 1);
    cursor = body.nextCursor;
  } while (cursor);
  const duplicates = [...titles].filter(([, n]) => n > 1).map(([title, n]) => `${title} ×${n}`);
  const missing = [...createdIds.keys()].filter((title) => !titles.has(title));
  const unasked = [...titles.keys()].filter((title) => !createdIds.has(title));
  checks.push(
    check('nothing created twice, nothing lost, nothing made that nobody was told of', [
      ...(listed ? [] : ['the listing did not answer']),
      ...duplicates,
      ...missing.map((t) => `missing ${t}`),
      ...unasked.map((t) => `not acknowledged ${t}`),
    ]),
  );
  return checks;
}
