/**
 * npm run test:faults — the control plane under dependency faults.
 *
 * Starts a local stack of its own (port offset MEETPLANE_FAULTS_PORT_OFFSET,
 * default 9000; run directory .tools/run-faults), with its dependencies
 * restartable (scripts/local-stack/main.ts, MEETPLANE_RESTARTABLE). For
 * DynamoDB Local and each site's local-kms and LiveKit, and each of two
 * faults — the process paused (SIGSTOP) for six seconds and resumed, and the
 * process killed (SIGKILL) and started again by the stack — it runs a bounded
 * load of meeting creates, updates and joins before, during and after the
 * fault, then retries what got 503 and checks the outcome (test/faults/checks.ts).
 * It pauses and kills only processes of the stack it started.
 *
 * Prints per scenario and phase the status counts and p50/p99 latency, writes
 * bench/results/faults.json and bench/results/faults.svg (a timeline), and
 * exits non-zero when a check fails.
 */
process.env.MEETPLANE_PORT_OFFSET = process.env.MEETPLANE_FAULTS_PORT_OFFSET ?? '9000';
process.env.MEETPLANE_RUN_DIR = '.tools/run-faults';

// Everything else reads the port offset and run directory when it is loaded.
await import('./faults.js');
