import type { App } from 'aws-cdk-lib';
import type { SiteId } from '../config/sites.js';
import { applyEuGuard } from './guard/eu-guard.js';
import { stackName } from './naming.js';
import { applyNagChecks } from './nag.js';
import type { MeetplaneSettings } from './settings.js';
import { MediaStack } from './stacks/media-stack.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

/**
 * Cross-stack references stay "strong" (exports): a consumer stack must be
 * updated before its producer can drop what it uses, which is what we want
 * between a site's stateful, media and stateless stacks.
 */
const FEATURE_FLAGS: Readonly<Record<string, unknown>> = {
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

/** The site whose stateful stack owns the directory global table. */
export const DIRECTORY_HOME: SiteId = 'fra';

export interface SiteStacks {
  readonly stateful: StatefulStack;
  readonly media: MediaStack;
  readonly stateless: StatelessStack;
}

/**
 * Every stack of every site, with the EU guard and cdk-nag applied to all of
 * them. Deployment order: the other sites' stateful stacks (their data keys
 * must exist before the directory's replicas), the directory home's stateful
 * stack, then media and stateless per site.
 */
export function buildMeetplane(app: App, settings: MeetplaneSettings): Record<SiteId, SiteStacks> {
  // Set here rather than only in cdk.json, so that running the app without the CLI builds the same thing.
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const sites = Object.values(settings.sites);
  const others = sites.filter((site) => site.id !== DIRECTORY_HOME);
  const result = {} as Record<SiteId, SiteStacks>;
  const statefulStacks = {} as Record<SiteId, StatefulStack>;

  for (const site of [...others, settings.sites[DIRECTORY_HOME]]) {
    const env = { region: site.region, ...(settings.account !== undefined && { account: settings.account }) };
    statefulStacks[site.id] = new StatefulStack(app, stackName(site.id, 'Stateful'), {
      env,
      site,
      description: `Meetplane ${site.id}: tables, keys, certificate, alert topic (retained)`,
      terminationProtection: true,
      ...(site.id === DIRECTORY_HOME && { directoryReplicaRegions: others.map((other) => other.region) }),
      ...(settings.alarmEmail !== undefined && { alarmEmail: settings.alarmEmail }),
    });
  }
  const directoryStack = statefulStacks[DIRECTORY_HOME];
  for (const other of others) directoryStack.addStackDependency(statefulStacks[other.id], 'directory replicas use its data key');

  const mediaStacks = {} as Record<SiteId, MediaStack>;
  for (const site of sites) {
    const env = { region: site.region, ...(settings.account !== undefined && { account: settings.account }) };
    const stateful = statefulStacks[site.id];
    mediaStacks[site.id] = new MediaStack(app, stackName(site.id, 'Media'), {
      env,
      site,
      description: `Meetplane ${site.id}: LiveKit cluster (nodes, Redis, load balancers, image cache)`,
      allSites: settings.sites,
      livekit: settings.livekit,
      certificate: stateful.certificate,
      alerts: stateful.alerts,
    });
  }

  for (const site of sites) {
    const env = { region: site.region, ...(settings.account !== undefined && { account: settings.account }) };
    const stateful = statefulStacks[site.id];
    const media = mediaStacks[site.id];
    const otherMedia = sites.filter((other) => other.id !== site.id).map((other) => mediaStacks[other.id]);
    const stateless = new StatelessStack(app, stackName(site.id, 'Stateless'), {
      env,
      site,
      description: `Meetplane ${site.id}: HTTP API and its functions`,
      allSites: settings.sites,
      web: settings.web,
      siteTable: stateful.siteTable,
      siteKey: stateful.siteKey,
      dataKey: stateful.dataKey,
      auditSigningKey: stateful.auditSigningKey,
      certificate: stateful.certificate,
      livekitCredentials: media.apiCredentials,
      cluster: media.cluster,
      otherClusters: otherMedia.map((other) => other.cluster),
      livekitTargets: media.signallingTargets,
      alerts: stateful.alerts,
    });
    // The directory replica in this region exists once the directory home's stateful stack is deployed.
    if (site.id !== DIRECTORY_HOME) stateless.addStackDependency(directoryStack, 'reads the directory replica');
    // The other sites' LiveKit secrets are replicated into this region by their media stacks.
    for (const other of otherMedia) stateless.addStackDependency(other, 'reads the replica of its LiveKit secret');
    result[site.id] = { stateful, media, stateless };
  }

  applyEuGuard(app);
  applyNagChecks(app);
  return result;
}
