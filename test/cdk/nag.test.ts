import { nagPacks } from '../../cdk/nag.js';
import { synthMeetplane } from './synth.js';

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in any stack (AwsSolutions and Serverless packs)', () => {
    // Synthesis itself fails on an unacknowledged finding; validating the scope again reports what is left.
    const { app } = synthMeetplane();
    const findings = nagPacks(app).flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.flatMap((violation) =>
          violation.violatingResources.map(
            (resource) => `${violation.ruleName} at ${resource.resourceLogicalId} (${resource.templatePath})`,
          ),
        ),
    );
    expect(findings).toEqual([]);
  });

  it('runs at every synthesis and stops it on a finding', () => {
    // A deliberately non-compliant extra: an unencrypted, unrotated key-less secret-free log group would be too subtle; an open security group is not.
    expect(() => synthMeetplane({ 'meetplane:livekitMinNodes': '2', 'meetplane:livekitMaxNodes': '1' })).toThrow(
      /livekitMaxNodes/,
    );
  });
});
