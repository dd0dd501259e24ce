import { randomBytes } from 'node:crypto';
import {
  deliverWebhook,
  roomOfToken,
  sessionEvents,
  webhookSignature,
  type WebhookSession,
} from '../support/livekit-webhooks.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * LiveKit delivers webhooks at least once, in no promised order, sometimes
 * late. The same events replayed, duplicated, reordered and delivered late
 * must leave attendance exact: each session once, with its join and its
 * leave. An event whose signature has expired is refused cleanly (401
 * problem+json) and changes nothing; one just inside it is applied.
 */
let acme: TestTenant;
let host: string;
let meetingId: string;
let roomName: string;

const deliver = (body: string, auth?: string) => deliverWebhook(body, auth);
const signature = (body: string, expiresAt?: number, issuedAt?: number) => webhookSignature(body, expiresAt, issuedAt);
type Session = Required<WebhookSession>;
const events = (session: Session, room: string) => sessionEvents(session, room);

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

async function attendance(): Promise<{ participantId: string; joinedAt?: string; leftAt?: string }[]> {
  const res = await acme.call(`/v1/meetings/${meetingId}/attendance`, host);
  expect(res.status).toBe(200);
  return (res.body as { items: { participantId: string; joinedAt?: string; leftAt?: string }[] }).items;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomBytes(1)[0]! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

beforeAll(async () => {
  acme = await testTenant('fra');
  host = await acme.token('hana', ['host']);
  const created = await acme.call('/v1/meetings', host, {
    method: 'POST',
    json: { title: 'Storm watch', startsAt: '2026-12-01T12:00:00Z', durationMinutes: 60, timeZone: 'Europe/Berlin' },
  });
  meetingId = (created.body as { id: string }).id;
  // The host's join creates the meeting's room on fra's LiveKit; webhooks about it are the site's to apply.
  const joined = await acme.call(`/v1/meetings/${meetingId}/join`, host, { method: 'POST', json: {} });
  roomName = roomOfToken((joined.body as { media: { token: string } }).media.token);
});
afterAll(() => acme.stop());

describe('webhook storms', () => {
  const t0 = Math.floor(Date.now() / 1000) - 600;
  const sessions: Session[] = [0, 1, 2, 3].map((i) => ({
    sid: `PA_storm${i}${randomBytes(4).toString('hex')}`,
    identity: `p_storm${i}${randomBytes(6).toString('hex')}`,
    joinedAt: t0 + i * 10,
    leftAt: t0 + 300 + i * 10,
  }));

  it('keeps attendance exact through events replayed, duplicated and reordered', async () => {
    const all = sessions.flatMap((s) => events(s, roomName));
    // Each event three times, in a shuffled order (leaves before joins included), several at once.
    const storm = shuffled([...all, ...all, ...all]);
    const answers: Response[] = [];
    for (let i = 0; i < storm.length; i += 4)
      answers.push(...(await Promise.all(storm.slice(i, i + 4).map((body) => deliver(body)))));
    expect(answers.map((a) => a.status)).toEqual(storm.map(() => 200));
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { duplicate?: boolean }[];
    // Every event was applied once: the other deliveries of it are duplicates.
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(all.length);

    // A replay of the whole lot later, in reverse, changes nothing.
    for (const body of [...all].reverse())
      expect(((await (await deliver(body)).json()) as { duplicate?: boolean }).duplicate).toBe(true);

    const mine = (await attendance()).filter((a) => a.participantId.startsWith('p_storm'));
    expect(mine.sort((a, b) => a.participantId.localeCompare(b.participantId))).toEqual(
      [...sessions]
        .sort((a, b) => a.identity.localeCompare(b.identity))
        .map((s) => expect.objectContaining({ participantId: s.identity, joinedAt: iso(s.joinedAt), leftAt: iso(s.leftAt) })),
    );
  });

  it('refuses an event whose signature has expired with 401 problem+json, and applies one just inside it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const late: Session = {
      sid: `PA_late${randomBytes(4).toString('hex')}`,
      identity: `p_late${randomBytes(6).toString('hex')}`,
      joinedAt: now - 400,
      leftAt: now - 100,
    };
    const [joinedEvent, leftEvent] = events(late, roomName) as [string, string];

    // Signed five minutes ago for five minutes, and delivered past that (and past the verifier's clock tolerance).
    const expired = await deliver(joinedEvent, await signature(joinedEvent, now - 30, now - 330));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('content-type')).toBe('application/problem+json');
    expect((await attendance()).some((a) => a.participantId === late.identity)).toBe(false);

    // Signed five minutes ago for five minutes, delivered with seconds to spare: applied, and only once.
    const inside = await deliver(joinedEvent, await signature(joinedEvent, now + 3, now - 297));
    expect(inside.status).toBe(200);
    expect(await inside.json()).toEqual({ received: true });
    expect((await deliver(leftEvent)).status).toBe(200);
    // The expired delivery did not spend the event: LiveKit's redelivery of it, freshly signed, is a duplicate of the one applied.
    expect(await (await deliver(joinedEvent)).json()).toEqual({ received: true, duplicate: true });
    const record = (await attendance()).filter((a) => a.participantId === late.identity);
    expect(record).toEqual([expect.objectContaining({ joinedAt: iso(late.joinedAt), leftAt: iso(late.leftAt) })]);
  });
});
