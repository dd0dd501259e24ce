import { EU_REGIONS, assertEuRegion, isEuRegion, regionOfArn } from '../../config/regions.js';
import { resolveSiteRegion } from '../../config/sites.js';

describe('EU allow-list', () => {
  it.each(['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2'])('accepts %s', (region) => {
    expect(isEuRegion(region)).toBe(true);
  });

  it.each(['eu-west-2', 'eu-central-2', 'us-east-1', 'eu-west-9', 'EU-CENTRAL-1', '', 'eu-central-1 '])(
    'refuses %j',
    (region) => {
      expect(isEuRegion(region)).toBe(false);
      expect(() => assertEuRegion('the table', region)).toThrow(/not on the EU allow-list/);
    },
  );

  it('names what was refused and where', () => {
    expect(() => assertEuRegion('replica of meetplane-directory', 'eu-west-2')).toThrow(
      'replica of meetplane-directory is in region "eu-west-2"',
    );
  });

  it('has exactly six regions', () => {
    expect(EU_REGIONS).toHaveLength(6);
  });

  it('reads the region of an ARN', () => {
    expect(regionOfArn('arn:aws:kms:eu-central-1:111122223333:key/abc')).toBe('eu-central-1');
    expect(regionOfArn('arn:aws:iam::111122223333:role/x')).toBeUndefined();
    expect(regionOfArn('alias/meetplane-site')).toBeUndefined();
  });
});

describe('site regions', () => {
  it('runs fra only in Frankfurt', () => {
    expect(resolveSiteRegion('fra')).toBe('eu-central-1');
    expect(() => resolveSiteRegion('fra', 'eu-west-1')).toThrow(/runs only in eu-central-1/);
  });

  it("lets the operator choose ams's EU region, Ireland by default", () => {
    expect(resolveSiteRegion('ams')).toBe('eu-west-1');
    expect(resolveSiteRegion('ams', 'eu-west-3')).toBe('eu-west-3');
  });

  it('refuses London and Zurich for ams although they start with "eu-"', () => {
    expect(() => resolveSiteRegion('ams', 'eu-west-2')).toThrow(/eu-west-2.*not on the EU allow-list/);
    expect(() => resolveSiteRegion('ams', 'eu-central-2')).toThrow(/eu-central-2.*not on the EU allow-list/);
  });
});
