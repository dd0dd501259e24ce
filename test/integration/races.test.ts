import { randomBytes } from 'node:crypto';
import { deliverWebhook, roomOfToken, sessionEvents } from '../support/livekit-webhooks.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Two requests that contend for one decision, sent at once: one wins, the
 * other is refused cleanly (409 or 412, never a 500), and what is stored
 * afterwards is the winner's, once. Each race runs a few rounds, so that
 * either request gets a chance to come first.
 */
let acme: TestTenant;
let host: string;
let cohost: string;
let pia: string;
const ROUNDS = 3;

const call = (path: string, token: string, init: RequestInit & { json?: unknown } = {}) => acme.call(path, token, init);
const post = (path: string, token: string, json?: unknown) =>
  call(path, token, { method: 'POST', ...(json !== undefined && { json }) });

beforeAll(async () => {
  acme = await testTenant('fra');
  host = await acme.token('hana', ['host']);
  // The same host on a second device: two hosts' clients acting on one meeting.
  cohost = await acme.token('hana', ['host'], { jti: 'second-device' });
  pia = await acme.token('pia');
});
afterAll(() => acme.stop());

async function meeting(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await post('/v1/meetings', host, {
    title: 'Race course',
    startsAt: '2026-12-01T12:00:00Z',
    durationMinutes: 60,
    timeZone: 'Europe/Amsterdam',
    invitees: ['pia@example.test', 'quinn@example.test', 'rosa@example.test'],
    ...extra,
  });
  if (res.status !== 201) throw new Error(`meeting not created: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

const statuses = (answers: { status: number }[]) => answers.map((a) => a.status).sort((a, b) => a - b);

describe('races: one wins, the other gets a clean refusal, the record is consistent', () => {
  it('two hosts admitting the same ticket: one admits, the other is told it was decided', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const meetingId = await meeting({ waitingRoom: true });
      expect((await post(`/v1/meetings/${meetingId}/join`, host, {})).status).toBe(200);
      const waiting = await post(`/v1/meetings/${meetingId}/join`, pia, {});
      const { ticket } = waiting.body as { ticket: string };
      const answers = await Promise.all([
        post(`/v1/meetings/${meetingId}/lobby/${ticket}/admit`, host),
        post(`/v1/meetings/${meetingId}/lobby/${ticket}/admit`, cohost),
      ]);
      expect(statuses(answers)).toEqual([204, 409]);
      // Admitted once: her poll carries media, and the waiting list no longer has her.
      expect((await call(`/v1/meetings/${meetingId}/lobby/${ticket}`, pia)).body).toMatchObject({ status: 'admitted' });
      expect((await call(`/v1/meetings/${meetingId}/lobby`, host)).body).toEqual({ items: [] });
    }
  });

  it('admitting and denying the same ticket at once: exactly one decision stands', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const meetingId = await meeting({ waitingRoom: true });
      await post(`/v1/meetings/${meetingId}/join`, host, {});
      const { ticket } = (await post(`/v1/meetings/${meetingId}/join`, pia, {})).body as { ticket: string };
      const [admit, deny] = await Promise.all([
        post(`/v1/meetings/${meetingId}/lobby/${ticket}/admit`, host),
        post(`/v1/meetings/${meetingId}/lobby/${ticket}/deny`, cohost),
      ]);
      expect(statuses([admit, deny])).toEqual([204, 409]);
      const poll = (await call(`/v1/meetings/${meetingId}/lobby/${ticket}`, pia)).body as { status: string };
      expect(poll.status).toBe(admit.status === 204 ? 'admitted' : 'denied');
    }
  });

  it('two PATCHes with one ETag: one changes the meeting, the other gets 412, and the meeting is at the next version', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const meetingId = await meeting();
      const etag = (await call(`/v1/meetings/${meetingId}`, host)).headers.get('etag')!;
      const answers = await Promise.all(
        ['Left', 'Right'].map((title) =>
          call(`/v1/meetings/${meetingId}`, host, { method: 'PATCH', json: { title }, headers: { 'if-match': etag } }),
        ),
      );
      expect(statuses(answers)).toEqual([200, 412]);
      const winner = answers.find((a) => a.status === 200)!.body as { title: string };
      const now = await call(`/v1/meetings/${meetingId}`, host);
      expect(now.headers.get('etag')).toBe('"v2"');
      expect((now.body as { title: string }).title).toBe(winner.title);
    }
  });

  it('a removal racing a join: whichever comes first, the removed participant is out afterwards', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const meetingId = await meeting();
      await post(`/v1/meetings/${meetingId}/join`, host, {});
      const joined = (await post(`/v1/meetings/${meetingId}/join`, pia, {})).body as { participantId: string };
      const [removal, rejoin] = await Promise.all([
        post(`/v1/meetings/${meetingId}/participants/${joined.participantId}/remove`, host),
        post(`/v1/meetings/${meetingId}/join`, pia, {}),
      ]);
      expect(removal.status).toBe(200);
      // Her join either came first (and the removal put her out after) or was refused as removed.
      expect([200, 403]).toContain(rejoin.status);
      expect((await post(`/v1/meetings/${meetingId}/join`, pia, {})).status).toBe(403);
      expect((await call(`/v1/meetings/${meetingId}/key?epoch=0`, pia)).status).toBe(403);
    }
  });

  it('a lock racing a join: the join is in or refused as locked, and the meeting is locked afterwards', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const meetingId = await meeting();
      await post(`/v1/meetings/${meetingId}/join`, host, {});
      const [lock, join] = await Promise.all([
        post(`/v1/meetings/${meetingId}/lock`, host),
        post(`/v1/meetings/${meetingId}/join`, pia, {}),
      ]);
      expect(lock.status).toBe(200);
      // In before the lock (admitted), or refused by it: nothing in between.
      expect(join.status === 200 ? (join.body as { status: string }).status : join.status).toBe(
        join.status === 200 ? 'admitted' : 403,
      );
      // Nobody new gets in after the lock; someone admitted before it comes back.
      const quinn = await acme.token('quinn');
      expect((await post(`/v1/meetings/${meetingId}/join`, quinn, {})).status).toBe(403);
      expect((await post(`/v1/meetings/${meetingId}/join`, pia, {})).status).toBe(join.status);
    }
  });

  it('two breakout opens: one opens the drafted rooms, the other is told they are open, and each room is opened once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const meetingId = await meeting();
      await post(`/v1/meetings/${meetingId}/join`, host, {});
      // Three participants in the room, as LiveKit's webhooks report them (no media clients needed).
      const ids: string[] = [];
      for (const user of ['pia', 'quinn', 'rosa']) {
        const joined = (await post(`/v1/meetings/${meetingId}/join`, await acme.token(user), {})).body as {
          participantId: string;
          media: { token: string };
        };
        ids.push(joined.participantId);
        const session = {
          sid: `PA_${randomBytes(6).toString('hex')}`,
          identity: joined.participantId,
          joinedAt: Math.floor(Date.now() / 1000),
        };
        for (const event of sessionEvents(session, roomOfToken(joined.media.token)))
          expect((await deliverWebhook(event)).status).toBe(200);
      }
      const drafted = await call(`/v1/meetings/${meetingId}/breakouts`, host, {
        method: 'PUT',
        json: {
          rooms: [
            { name: 'Red', participants: ids.slice(0, 2) },
            { name: 'Blue', participants: ids.slice(2) },
          ],
        },
      });
      expect(drafted.body).toMatchObject({ state: 'draft' });
      const answers = await Promise.all([
        post(`/v1/meetings/${meetingId}/breakouts/open`, host),
        post(`/v1/meetings/${meetingId}/breakouts/open`, cohost),
      ]);
      // The loser read the draft too, and is refused when it saves (409) or before (412: the plan moved on).
      const [won, lost] = statuses(answers);
      expect(won).toBe(200);
      expect([409, 412]).toContain(lost);
      const plan = (await call(`/v1/meetings/${meetingId}/breakouts`, host)).body as {
        state: string;
        rooms: { id: string; name: string }[];
      };
      expect(plan.state).toBe('open');
      expect(plan.rooms.map((r) => r.name)).toEqual(['Red', 'Blue']);
      expect(plan.rooms.map((r) => r.id)).toEqual((drafted.body as { rooms: { id: string }[] }).rooms.map((r) => r.id));
    }
  });
});
