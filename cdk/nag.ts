import { Validations } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';
import type { IConstruct } from 'constructs';

// cdk-nag is CommonJS whose exports Node cannot detect statically; take them from the module object.
const { AwsSolutionsChecks, ServerlessChecks } = cdkNag;

/** The rule packs every synthesis runs; tests call `validateScope` on fresh instances. */
export function nagPacks(scope: IConstruct): InstanceType<typeof AwsSolutionsChecks | typeof ServerlessChecks>[] {
  return [new AwsSolutionsChecks(scope, { verbose: true }), new ServerlessChecks(scope, { verbose: true })];
}

/**
 * cdk-nag v3 runs as a CDK policy-validation plugin: any finding that is not
 * acknowledged interrupts synthesis with a report naming the resource.
 */
export function applyNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

export interface Acknowledgement {
  /** Rule id, with the finding in brackets where the rule reports several, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  /** Why the finding does not apply or is accepted; summarised in docs/deploy.md. */
  readonly reason: string;
}

/** Acknowledges findings on a construct and everything below it, each with its written reason. */
export function acknowledge(construct: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  Validations.of(construct).acknowledge(...acknowledgements);
}
