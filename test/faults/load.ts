import { randomUUID } from 'node:crypto';
import type { Tenant } from './own-stack.js';

/**
 * A bounded load of the calls people make most — schedule a meeting, change
 * one, join one — at a steady rate against one site, each request recorded
 * with when it started, how long it took and what it got.
 */
export type Phase = 'before' | 'during' | 'after';
export type Op = 'create' | 'update' | 'join';

export const ROUTE_OF: Readonly<Record<Op, string>> = {
  create: 'POST /v1/meetings',
  update: 'PATCH /v1/meetings/{meetingId}',
  join: 'POST /v1/meetings/{meetingId}/join',
};

export interface Sample {
  readonly op: Op;
  readonly phase: Phase;
  /** Milliseconds from the scenario's start. */
  readonly startMs: number;
  readonly ms: number;
  /** 0: no answer within the client's own timeout. */
  readonly status: number;
  readonly retryAfter?: string;
  readonly meetingId?: string;
  /** Creates: the Idempotency-Key and the title they asked for; updates: the title they set. */
  readonly idempotencyKey?: string;
  readonly title?: string;
  readonly body?: unknown;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly ms: number;
}

/** A client gives up after this: a request still unanswered then counts as no answer at all (status 0). */
const CLIENT_TIMEOUT_MS = 10_000;

export async function call(
  tenant: Tenant,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const began = performance.now();
  try {
    const res = await fetch(`${tenant.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await tenant.hostToken()}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed, ms: performance.now() - began };
  } catch {
    return { status: 0, headers: new Headers(), body: undefined, ms: performance.now() - began };
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Calls until the answer is not a 503 (or the attempts are spent), as a client honouring Retry-After would. */
export async function settled(make: () => Promise<Answer>, attempts = 8): Promise<Answer> {
  let answer = await make();
  for (let i = 1; i < attempts && (answer.status === 503 || answer.status === 0); i++) {
    await sleep(1000);
    answer = await make();
  }
  return answer;
}

export interface PoolMeeting {
  readonly id: string;
  readonly etag: string;
}

const meetingBody = (title: string, startsAt: Date) => ({
  title,
  startsAt: startsAt.toISOString(),
  durationMinutes: 30,
  timeZone: 'Europe/Berlin',
});

const DAY_MS = 24 * 60 * 60 * 1000;

export class LoadRun {
  phase: Phase = 'before';
  private readonly samples: Sample[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private began = 0;

  private constructor(
    readonly tenant: Tenant,
    /** Meetings this run creates start on this day from now, so that they can be listed apart from the others. */
    readonly day: number,
    private readonly rate: number,
    /** Meetings made beforehand, each changed at most once by the load (so that every change can be checked). */
    private readonly toUpdate: PoolMeeting[],
    private readonly toJoin: PoolMeeting[],
  ) {}

  /** The day window the run's creates fall in. */
  get window(): { from: string; to: string } {
    const from = new Date(Date.now() + this.day * DAY_MS);
    from.setUTCHours(0, 0, 0, 0);
    return { from: from.toISOString(), to: new Date(from.getTime() + DAY_MS).toISOString() };
  }

  static async prepare(tenant: Tenant, day: number, rate: number): Promise<LoadRun> {
    const make = async (title: string): Promise<PoolMeeting> => {
      const res = await settled(() => call(tenant, 'POST', '/v1/meetings', meetingBody(title, new Date(Date.now() + 60_000))));
      const id = (res.body as { id?: string } | undefined)?.id;
      const etag = res.headers.get('etag');
      if (res.status !== 201 || !id || !etag) throw new Error(`could not prepare a meeting: ${res.status}`);
      return { id, etag };
    };
    // A third of the load are updates, each of its own meeting; a third are joins, each the first of its meeting
    // (which creates its room on LiveKit), so that every dependency has a part in them.
    const each = Math.ceil((rate / 3) * 25) + 5;
    const pool = async (what: string) => {
      const made: PoolMeeting[] = [];
      for (let i = 0; i < each; i += 4) made.push(...(await Promise.all([0, 1, 2, 3].map((j) => make(`${what} ${i + j}`)))));
      return made;
    };
    return new LoadRun(tenant, day, rate, await pool('to update'), await pool('to join'));
  }

  start(began: number): void {
    this.began = began;
    this.timer = setInterval(() => this.launch(), 1000 / this.rate);
  }

  async stop(): Promise<Sample[]> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
    return [...this.samples].sort((a, b) => a.startMs - b.startMs);
  }

  private launch(): void {
    const op: Op = (['create', 'update', 'join'] as const)[this.next++ % 3]!;
    const work = this.run(op).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async run(op: Op): Promise<void> {
    const phase = this.phase;
    const startMs = performance.now() - this.began;
    const record = (answer: Answer, extra: Partial<Sample>) =>
      this.samples.push({
        op,
        phase,
        startMs,
        ms: answer.ms,
        status: answer.status,
        ...(answer.headers.get('retry-after') && { retryAfter: answer.headers.get('retry-after')! }),
        ...extra,
      });
    if (op === 'create') {
      const idempotencyKey = randomUUID();
      const title = `faults ${idempotencyKey}`;
      const startsAt = new Date(Date.parse(this.window.from) + 9 * 60 * 60 * 1000 + Math.floor(Math.random() * 8 * 60) * 60_000);
      const body = meetingBody(title, startsAt);
      const answer = await call(this.tenant, 'POST', '/v1/meetings', body, { 'idempotency-key': idempotencyKey });
      const meetingId = (answer.body as { id?: string } | undefined)?.id;
      record(answer, { idempotencyKey, title, body, ...(answer.status === 201 && meetingId && { meetingId }) });
    } else if (op === 'update') {
      const meeting = this.toUpdate.shift();
      if (!meeting) return;
      const title = `changed ${randomUUID()}`;
      const answer = await call(this.tenant, 'PATCH', `/v1/meetings/${meeting.id}`, { title }, { 'if-match': meeting.etag });
      record(answer, { meetingId: meeting.id, title, body: { title, etag: meeting.etag } });
    } else {
      const meeting = this.toJoin.shift();
      if (!meeting) return;
      const answer = await call(this.tenant, 'POST', `/v1/meetings/${meeting.id}/join`, {});
      record(answer, { meetingId: meeting.id });
    }
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface PhaseSummary {
  readonly count: number;
  readonly statuses: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarise(samples: readonly Sample[]): PhaseSummary {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    count: samples.length,
    statuses,
    p50Ms: Math.round(percentile(sorted, 50)),
    p99Ms: Math.round(percentile(sorted, 99)),
    maxMs: Math.round(sorted.at(-1) ?? 0),
  };
}
