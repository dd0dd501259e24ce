/**
 * Stands in for @smithy/core/event-streams in deployed bundles
 * (cdk/bundling.ts). The AWS SDK's protocols load it on demand, only to
 * serialise an operation whose input or output is an event stream; esbuild
 * inlines that import into every bundle (about 15 KB). None of the clients
 * Meetplane bundles (DynamoDB, KMS, Secrets Manager, SES) is called with such
 * an operation, so this is never reached; were it reached, it refuses.
 */
function refuse(): never {
  throw new Error('event-stream operations are not bundled in Meetplane functions');
}

export class EventStreamSerde {
  constructor() {
    refuse();
  }
}

export const eventStreamSerdeProvider = refuse;
