import { Aspects, CfnResource, Stack, Token, type IAspect } from 'aws-cdk-lib';
import { CfnGlobalTable } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { EU_REGIONS, isEuRegion } from '../../config/regions.js';
import { nonEuRegionsIn } from './region-references.js';

const ALLOW_LIST = EU_REGIONS.join(', ');

/** The synthesised properties of a resource, with tokens resolved as they will appear in the template. */
function renderedProperties(resource: CfnResource): unknown {
  const internal = resource as unknown as { _toCloudFormation(): unknown };
  return Stack.of(resource).resolve(internal._toCloudFormation());
}

function stackProblems(stack: Stack): string[] {
  if (Token.isUnresolved(stack.region)) {
    return [`stack ${stack.stackName} has no explicit region; every Meetplane stack must name an EU region (${ALLOW_LIST})`];
  }
  if (!isEuRegion(stack.region)) {
    return [`stack ${stack.stackName} is in region "${stack.region}", which is not on the EU allow-list (${ALLOW_LIST})`];
  }
  return [];
}

function resourceProblems(resource: CfnResource): string[] {
  const problems: string[] = [];
  if (resource instanceof CfnGlobalTable) {
    const replicas = Stack.of(resource).resolve(resource.replicas) as { region?: unknown }[] | undefined;
    for (const replica of replicas ?? []) {
      const region = replica.region;
      if (typeof region !== 'string' || !isEuRegion(region)) {
        problems.push(`table replica in region "${String(region)}" is outside the EU allow-list (${ALLOW_LIST})`);
      }
    }
  }
  const foreign = nonEuRegionsIn(renderedProperties(resource));
  if (foreign.length > 0) {
    problems.push(
      `${resource.cfnResourceType} refers to a resource in ${foreign.map((r) => `"${r}"`).join(', ')}, outside the EU allow-list (${ALLOW_LIST})`,
    );
  }
  return problems;
}

/**
 * Principle 2 (EU only) at synthesis: a stack outside the allow-list, a table
 * replica outside it, or any reference (ARN, endpoint, replica setting) to a
 * non-EU region fails synthesis with the path of the offending construct. It
 * works on the rendered template rather than on our own constructs, so
 * whatever is added later is checked as well.
 */
export class EuResidencyGuard implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof Stack) {
      node.node.addValidation({ validate: () => stackProblems(node) });
    } else if (node instanceof CfnResource) {
      node.node.addValidation({ validate: () => resourceProblems(node) });
    }
  }
}

export function applyEuGuard(scope: IConstruct): void {
  Aspects.of(scope).add(new EuResidencyGuard());
}
