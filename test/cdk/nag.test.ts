import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { applyNagChecks } from '../../cdk/nag.js';
import { synthMeetplane } from './synth.js';

function acknowledgementsUnder(root: IConstruct): { path: string; id: string; reason: unknown }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  let app: App;

  beforeAll(() => {
    // Synthesis itself is interrupted by any finding that is not acknowledged.
    app = synthMeetplane().app;
  });

  it('leaves no error or warning annotation on any stack', () => {
    const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
    expect(stacks).toHaveLength(6);
    const left = stacks.flatMap((stack) => [
      ...Annotations.fromStack(stack).findError('*', Match.anyValue()),
      ...Annotations.fromStack(stack).findWarning('*', Match.anyValue()),
    ]);
    expect(left.map((message) => `${message.id}: ${String(message.entry.data)}`)).toEqual([]);
  });

  it('has a written reason for every acknowledgement', () => {
    const acknowledgements = acknowledgementsUnder(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) {
      expect({ id, reason: typeof reason === 'string' && reason.length >= 40 }).toEqual({ id, reason: true });
    }
  });

  it('stops synthesis on a finding that nobody acknowledged', () => {
    const bare = new App();
    new Topic(new Stack(bare, 'Careless', { env: { region: 'eu-central-1' } }), 'PlainTopic');
    applyNagChecks(bare);
    expect(() => bare.synth()).toThrow(/PlainTopic.*AwsSolutions-SNS3/s);
  });
});
