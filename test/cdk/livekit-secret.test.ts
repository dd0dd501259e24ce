import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../cdk/bundling.js';
import { LIVEKIT_GROUPS } from '../../cdk/route-groups.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { synthMeetplane, templatesOf, type Templates } from './synth.js';

let templates: Templates;

beforeAll(() => {
  templates = templatesOf(synthMeetplane().stacks);
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

interface FunctionJson {
  Properties: { Environment: { Variables: Record<string, unknown> }; Role: { 'Fn::GetAtt': [string, string] } };
}

interface PolicyJson {
  Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };
}

const REGIONS = { fra: 'eu-central-1', ams: 'eu-west-1' } as const;
const OTHER = { fra: 'ams', ams: 'fra' } as const;
const actionsOf = (statement: Statement) => ([] as string[]).concat(statement.Action);
const logicalIdOf = (group: string) => `Group${group.replace(/[^A-Za-z0-9]/g, '')}`;

/** The statements that name Secrets Manager, per route group, read from the roles' policies. */
function secretStatements(site: 'fra' | 'ams'): Map<string, Statement[]> {
  const policies = Object.values(templates[site].stateless.findResources('AWS::IAM::Policy')) as PolicyJson[];
  return new Map(
    ROUTE_GROUPS.map((group) => {
      const role = new RegExp(`^${logicalIdOf(group.name)}Role[A-F0-9]+$`);
      const statements = policies
        .filter((policy) => policy.Properties.Roles.some((r) => role.test(r.Ref)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')));
      return [group.name, statements];
    }),
  );
}

describe.each(['fra', 'ams'] as const)('the LiveKit API secret at %s', (site) => {
  it('reaches no function as a value: every function gets the secret ARN instead', () => {
    const template = templates[site].stateless;
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as FunctionJson[];
    // One per route group, and the scheduled audit head signer.
    expect(functions).toHaveLength(ROUTE_GROUPS.length + 1);
    for (const fn of functions) {
      const variables = fn.Properties.Environment.Variables;
      expect(variables).not.toHaveProperty('MEETPLANE_LIVEKIT_API_SECRET');
      expect(JSON.stringify(variables.MEETPLANE_LIVEKIT_SECRET_ARN)).toMatch(/LiveKitApiCredentials/);
    }
    // No dynamic reference to the secret's apiSecret field anywhere: CloudFormation would resolve it into the configuration.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/SecretString:apiSecret/);
  });

  it("gives every function its own cluster (id and endpoint) and the other site's, whose secret it reads from the replica here", () => {
    const functions = Object.values(templates[site].stateless.findResources('AWS::Lambda::Function')) as FunctionJson[];
    const other = OTHER[site];
    for (const fn of functions) {
      const variables = fn.Properties.Environment.Variables;
      expect(variables).toMatchObject({
        MEETPLANE_LIVEKIT_CLUSTER_ID: `${site}-a`,
        MEETPLANE_LIVEKIT_URL: `wss://livekit.${site}.meetplane.example`,
      });
      expect(JSON.parse(variables.MEETPLANE_MEDIA_CLUSTERS as string)).toEqual([
        {
          id: `${other}-a`,
          site: other,
          urls: [`wss://livekit.${other}.meetplane.example`],
          apiKey: `{{resolve:secretsmanager:meetplane/${other}/livekit-api:SecretString:apiKey}}`,
          apiSecretName: `meetplane/${other}/livekit-api`,
        },
      ]);
    }
  });

  it('lets exactly the LiveKit route groups read it, and only that secret, only its value', () => {
    const functions = Object.values(templates[site].stateless.findResources('AWS::Lambda::Function')) as FunctionJson[];
    const arn = JSON.stringify(functions[0]!.Properties.Environment.Variables.MEETPLANE_LIVEKIT_SECRET_ARN);
    const granted: string[] = [];
    for (const [group, statements] of secretStatements(site)) {
      if (statements.length === 0) continue;
      granted.push(group);
      expect(statements).toHaveLength(1);
      expect(actionsOf(statements[0]!)).toEqual(['secretsmanager:GetSecretValue']);
      // The site's own secret, and the replica in this region of the other site's (its name and Secrets Manager's suffix).
      const [own, replica, ...more] = statements[0]!.Resource as unknown[];
      expect(JSON.stringify(own)).toBe(arn);
      expect(JSON.stringify(replica)).toBe(
        JSON.stringify({
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              `:secretsmanager:${REGIONS[site]}:`,
              { Ref: 'AWS::AccountId' },
              `:secret:meetplane/${OTHER[site]}/livekit-api-??????`,
            ],
          ],
        }),
      );
      expect(more).toEqual([]);
    }
    expect(granted.sort()).toEqual([...LIVEKIT_GROUPS].sort());
  });

  it('gives the groups that need no LiveKit no Secrets Manager permission at all', () => {
    const statements = secretStatements(site);
    const others = ROUTE_GROUPS.filter((group) => !LIVEKIT_GROUPS.has(group.name));
    expect(others.length).toBeGreaterThan(0);
    for (const group of others)
      expect({ group: group.name, statements: statements.get(group.name) }).toEqual({ group: group.name, statements: [] });
  });
});

describe('the LiveKit route groups', () => {
  it('are exactly the handlers that read the secret (import lambdas/livekit-secret.ts)', async () => {
    const readers: string[] = [];
    for (const group of ROUTE_GROUPS) {
      const { metafile } = await build({
        absWorkingDir: PROJECT_ROOT,
        entryPoints: [group.entry],
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      if (Object.keys(metafile.inputs).includes('lambdas/livekit-secret.ts')) readers.push(group.name);
    }
    expect(readers.sort()).toEqual([...LIVEKIT_GROUPS].sort());
  });
});
