/**
 * The EU allow-list. It is explicit on purpose: `eu-west-2` (London) and
 * `eu-central-2` (Zurich) start with "eu-" but are outside the EU, so no
 * prefix test may ever stand in for this list.
 */
export const EU_REGIONS = ['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2'] as const;

export type EuRegion = (typeof EU_REGIONS)[number];

export function isEuRegion(region: string): region is EuRegion {
  return (EU_REGIONS as readonly string[]).includes(region);
}

export class NonEuRegionError extends Error {
  constructor(
    readonly what: string,
    readonly region: string,
  ) {
    super(
      `${what} is in region "${region}", which is not on the EU allow-list (${EU_REGIONS.join(', ')}); ` +
        'Meetplane stores and processes personal data only inside the EU',
    );
    this.name = 'NonEuRegionError';
  }
}

export function assertEuRegion(what: string, region: string): EuRegion {
  if (!isEuRegion(region)) throw new NonEuRegionError(what, region);
  return region;
}

/** The region named in an AWS ARN (`arn:aws:kms:eu-central-1:…`), or undefined when it is not an ARN. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return parts[3] || undefined;
}
