import { App } from 'aws-cdk-lib';
import { buildMeetplane } from './meetplane.js';
import { lookupFrom, readSettings } from './settings.js';

/**
 * Entry point of `cdk synth|deploy` (via cdk.json) and of `npm run synth`,
 * which runs this file directly. No lookups: every stack names its region,
 * so synthesis needs neither credentials nor network.
 */
// The CLI passes its output directory; run directly, the assembly goes where the CLI would put it.
const app = new App(process.env.CDK_OUTDIR ? {} : { outdir: 'cdk.out' });
buildMeetplane(app, readSettings(lookupFrom(app.node)));
const assembly = app.synth();

// Running without the CLI, nobody else turns error annotations (cdk-nag) into a failure.
const errors = assembly.stacks.flatMap((stack) =>
  stack.messages.filter((message) => message.level === 'error').map((message) => `${message.id}: ${String(message.entry.data)}`),
);
if (errors.length > 0) {
  process.stderr.write(`Synthesis found ${errors.length} error(s):\n${errors.join('\n')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`Synthesised ${assembly.stacks.map((stack) => stack.stackName).join(', ')} into ${assembly.directory}\n`);
}
