import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { synthMeetplane } from './synth.js';

/*
 * cfn-lint (PyPI, pinned in scripts/install-tools.sh, in its own virtual
 * environment under .tools/) checks every synthesised template against the
 * CloudFormation resource specifications: property names and types, allowed
 * values, references, intrinsic functions. An error fails the suite. Warnings
 * are reported, not failed; today they are:
 *   W3005  a DependsOn that a GetAtt already implies (CDK adds it to the
 *          function-role pairs; harmless, and not ours to remove);
 *   W3010  hard-coded availability zones in the media VPC, which are chosen on
 *          purpose so that synthesis needs no account lookup (cdk/stacks/media-stack.ts).
 * No rule is ignored.
 */
const CFN_LINT = resolve('.tools/venv-cfn-lint/bin/cfn-lint');
const run = promisify(execFile);

interface Finding {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Message: string;
  Filename: string;
  Location: { Path: (string | number)[] };
}

async function lint(files: readonly string[]): Promise<Finding[]> {
  if (!existsSync(CFN_LINT)) throw new Error(`${CFN_LINT} is missing: run scripts/install-tools.sh`);
  try {
    const { stdout } = await run(CFN_LINT, ['--format', 'json', ...files], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout || '[]') as Finding[];
  } catch (error) {
    // cfn-lint exits non-zero whenever it found something (2 errors, 4 warnings, 8 informational, or'ed).
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code === 'number' && failed.code > 0 && failed.code < 16 && failed.stdout !== undefined)
      return JSON.parse(failed.stdout || '[]') as Finding[];
    throw new Error(`cfn-lint did not run: ${failed.stderr ?? String(error)}`);
  }
}

const describeFinding = (f: Finding) => `${f.Rule.Id} ${f.Filename.split('/').pop()} ${f.Location.Path.join('/')}: ${f.Message}`;

describe('cfn-lint over the synthesised templates', () => {
  it('finds no error in any stack of any site', async () => {
    const { app } = synthMeetplane();
    const templates = app.synth().stacks.map((stack) => stack.templateFullPath);
    expect(templates).toHaveLength(6);
    const findings = await lint(templates);
    const warnings = findings.filter((f) => f.Level !== 'Error');
    if (warnings.length > 0) {
      const byRule = new Map<string, number>();
      for (const warning of warnings) byRule.set(warning.Rule.Id, (byRule.get(warning.Rule.Id) ?? 0) + 1);
      process.stderr.write(`cfn-lint warnings (not failing): ${[...byRule].map(([id, n]) => `${id} × ${n}`).join(', ')}\n`);
    }
    expect(findings.filter((f) => f.Level === 'Error').map(describeFinding)).toEqual([]);
  }, 300_000);

  it('fails a template that CloudFormation would refuse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meetplane-cfn-lint-'));
    const file = join(dir, 'broken.template.json');
    writeFileSync(
      file,
      JSON.stringify({
        Resources: {
          Alarm: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              ComparisonOperator: 'GreaterThanOrEqualToThreshold',
              EvaluationPeriods: 'three',
              Threshold: 1,
              Bogus: 1,
            },
          },
        },
      }),
    );
    const errors = (await lint([file])).filter((f) => f.Level === 'Error');
    expect(errors.map((f) => f.Rule.Id)).toEqual(expect.arrayContaining(['E3002', 'E3012']));
  }, 120_000);
});
