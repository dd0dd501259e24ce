import { isEuRegion } from '../../config/regions.js';

/**
 * Every AWS region name we can recognise in a string: ARNs, endpoints, bucket
 * names, replica settings. Partitions other than `aws` (China, GovCloud, ISO)
 * are matched too, so they are refused like any other non-EU region.
 */
const REGION_NAME =
  /\b(?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov|-iso[a-z]?)?-(?:central|north|south|east|west|northeast|northwest|southeast|southwest)-\d\b/g;

/** Region names that occur anywhere in a (resolved) CloudFormation value, keys included. */
export function regionNamesIn(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const match of value.matchAll(REGION_NAME)) found.add(match[0]);
  } else if (Array.isArray(value)) {
    for (const item of value) regionNamesIn(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      regionNamesIn(key, found);
      regionNamesIn(item, found);
    }
  }
  return found;
}

export function nonEuRegionsIn(value: unknown): string[] {
  return [...regionNamesIn(value)].filter((region) => !isEuRegion(region)).sort();
}
