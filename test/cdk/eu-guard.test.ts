import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Key } from 'aws-cdk-lib/aws-kms';
import { applyEuGuard } from '../../cdk/guard/eu-guard.js';
import { lookupFrom, readSettings } from '../../cdk/settings.js';

/** A small app with the guard applied; the guard works on whatever is rendered, so any resource will do. */
function guardedApp(build: (app: App) => void): () => void {
  const app = new App();
  build(app);
  applyEuGuard(app);
  return () => app.synth();
}

function settingsWith(context: Record<string, string>) {
  return () => readSettings(lookupFrom(new App({ context }).node, {}));
}

describe('the EU guard', () => {
  it.each(['eu-west-2', 'us-east-1', 'eu-central-2'])('refuses ams in %s before any stack is built', (region) => {
    expect(settingsWith({ 'meetplane:amsRegion': region })).toThrow(
      new RegExp(`site "ams" \\(Amsterdam\\) is in region "${region}", which is not on the EU allow-list`),
    );
  });

  it('refuses the same region from the environment variable', () => {
    expect(() => readSettings(lookupFrom(new App().node, { MEETPLANE_AMS_REGION: 'eu-west-2' }))).toThrow(
      /not on the EU allow-list/,
    );
  });

  it('refuses to move fra out of Frankfurt', () => {
    expect(settingsWith({ 'meetplane:fraRegion': 'eu-west-1' })).toThrow(/runs only in eu-central-1/);
  });

  it.each(['eu-west-2', 'us-east-1'])('fails synthesis of a stack in %s, naming it', (region) => {
    const synth = guardedApp((app) => new Topic(new Stack(app, 'Outside', { env: { region } }), 'Alerts'));
    expect(synth).toThrow(new RegExp(`\\[Outside\\].*region "${region}".*not on the EU allow-list`, 's'));
  });

  it('fails synthesis of a stack without an explicit region', () => {
    const synth = guardedApp((app) => new Topic(new Stack(app, 'Anywhere'), 'Alerts'));
    expect(synth).toThrow(/\[Anywhere\].*has no explicit region/s);
  });

  it('fails synthesis of a table replica outside the EU, naming the table', () => {
    const synth = guardedApp((app) => {
      const stack = new Stack(app, 'Directory', { env: { region: 'eu-central-1' } });
      new TableV2(stack, 'Table', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        replicas: [{ region: 'eu-west-1' }, { region: 'us-east-1' }],
      });
    });
    expect(synth).toThrow(/\[Directory\/Table\/Resource\] table replica in region "us-east-1" is outside the EU allow-list/);
  });

  it('fails synthesis of a reference to a resource in a non-EU region, naming the construct', () => {
    const synth = guardedApp((app) => {
      const stack = new Stack(app, 'Site', { env: { region: 'eu-central-1' } });
      const foreignKey = Key.fromKeyArn(
        stack,
        'Foreign',
        'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-4000-8000-000000000000',
      );
      new Topic(stack, 'Alerts', { masterKey: foreignKey });
    });
    expect(synth).toThrow(/\[Site\/Alerts\/Resource\] AWS::SNS::Topic refers to a resource in "us-west-2"/);
  });

  it('lets EU stacks, EU replicas and EU references through', () => {
    const synth = guardedApp((app) => {
      const stack = new Stack(app, 'Site', { env: { region: 'eu-central-1' } });
      new TableV2(stack, 'Table', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        replicas: [{ region: 'eu-west-3' }],
      });
      const key = Key.fromKeyArn(stack, 'Other', 'arn:aws:kms:eu-north-1:111122223333:key/00000000-0000-4000-8000-000000000000');
      new Topic(stack, 'Alerts', { masterKey: key });
    });
    expect(synth).not.toThrow();
  });
});
