/**
 * The floor of `npm run bench:join`: a Lambda handler that does only what no
 * join can do without — read the meeting's live state (the same DynamoDB
 * request the join makes, through the same store and client) and mint the
 * participant's LiveKit token (through the same media node, the one place
 * tokens are minted). No authentication, no validation, no rules, no logs,
 * no metrics. The benchmark bundles it as a route group is bundled and serves
 * it from a second local gateway on the join's own path, so that the join's
 * latency can be read as a ratio of this floor's. Never deployed.
 *
 * Request body: `{ "tenantId", "participantId" }` (what the real join derives
 * from the caller's token).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { currentMediaSite } from '../../lambdas/media-composition.js';

const site = currentMediaSite();

const answer = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const meetingId = event.pathParameters?.meetingId;
  const { tenantId, participantId } = JSON.parse(event.body ?? '{}') as { tenantId?: string; participantId?: string };
  if (!meetingId || !tenantId || !participantId) return answer(400, { title: 'meetingId, tenantId and participantId' });
  const { live } = await site.live.forJoin(tenantId, meetingId, participantId);
  const node = live.clusterId === undefined ? undefined : site.clusters.get(live.clusterId);
  if (!node || live.roomName === undefined) return answer(404, { title: 'the meeting is not placed' });
  const token = await node.mintJoinToken({ roomName: live.roomName, identity: participantId, canPublish: true });
  return answer(200, { status: 'admitted', media: { url: node.signalUrl(), token }, participantId });
}
