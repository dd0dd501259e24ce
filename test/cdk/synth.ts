import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { SiteId } from '../../config/sites.js';
import { buildMeetplane, type SiteStacks } from '../../cdk/meetplane.js';
import { lookupFrom, readSettings } from '../../cdk/settings.js';

/**
 * Builds the whole app as `npm run synth` does (real NodejsFunctions bundled
 * by the local esbuild: well under a second per handler), without the
 * process environment so that a developer's variables cannot change a test.
 */
export function synthMeetplane(context: Record<string, string> = {}): { app: App; stacks: Record<SiteId, SiteStacks> } {
  const app = new App({ context });
  const stacks = buildMeetplane(app, readSettings(lookupFrom(app.node, {})));
  app.synth();
  return { app, stacks };
}

export type Templates = Record<SiteId, { stateful: Template; media: Template; stateless: Template }>;

export function templatesOf(stacks: Record<SiteId, SiteStacks>): Templates {
  const of = (site: SiteId) => ({
    stateful: Template.fromStack(stacks[site].stateful),
    media: Template.fromStack(stacks[site].media),
    stateless: Template.fromStack(stacks[site].stateless),
  });
  return { fra: of('fra'), ams: of('ams') };
}

/*
 * Named `expect…` so that the lint rule requiring an assertion in every test
 * recognises the Template assertions (which throw on mismatch) as assertions.
 */
export function expectProperties(template: Template, type: string, properties: Record<string, unknown>): void {
  template.hasResourceProperties(type, properties);
}

export function expectResource(template: Template, type: string, resource: Record<string, unknown>): void {
  template.hasResource(type, resource);
}

export function expectCount(template: Template, type: string, count: number, properties?: Record<string, unknown>): void {
  if (properties) template.resourcePropertiesCountIs(type, properties, count);
  else template.resourceCountIs(type, count);
}

export function expectAll(template: Template, type: string, properties: Record<string, unknown>): void {
  template.allResourcesProperties(type, properties);
}
