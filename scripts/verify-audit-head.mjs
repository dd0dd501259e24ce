#!/usr/bin/env node
/*
 * Verifies a signed head of a Meetplane tenant's audit log with the site's
 * public key, using nothing but Node.js (node:crypto). Standalone: copy it
 * anywhere and run it without this repository.
 *
 *   node verify-audit-head.mjs <head.json> <signing-key.json|key.pem>
 *
 * <head.json>: a signed head as `POST /v1/audit/heads` returns it, or the
 *   answer of `GET /v1/audit/verify` (its `signedHead` is checked).
 * <signing-key>: the answer of `GET /v1/audit/signing-key`, or its
 *   `publicKeyPem` saved as a PEM file.
 *
 * Prints what the head commits to and exits 0 when the signature verifies,
 * 1 when it does not, 2 on bad input. Keep the heads you download: a head you
 * hold is evidence of what the log said then, whatever happens to the table.
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { Buffer } from 'node:buffer';

const PURPOSE = 'meetplane-audit-head/v1';

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** The statement a head's signature covers: canonical JSON, keys sorted, UTF-8. */
function statementOf(head) {
  const fields = {
    at: head.at,
    hash: head.hash,
    purpose: PURPOSE,
    seq: head.seq,
    signedAt: head.signedAt,
    site: head.site,
    tenantId: head.tenantId,
  };
  return JSON.stringify(fields);
}

const [headFile, keyFile] = process.argv.slice(2);
if (!headFile || !keyFile) fail('usage: node verify-audit-head.mjs <head.json> <signing-key.json|key.pem>');

let document;
try {
  document = JSON.parse(readFileSync(headFile, 'utf8'));
} catch (error) {
  fail(`${headFile}: not a JSON document (${error.message})`);
}
const head = document.signedHead ?? document;
for (const [field, type] of [
  ['site', 'string'],
  ['tenantId', 'string'],
  ['seq', 'number'],
  ['hash', 'string'],
  ['at', 'string'],
  ['signedAt', 'string'],
  ['signature', 'string'],
]) {
  if (typeof head[field] !== type) fail(`${headFile}: the head has no ${field} (${type})`);
}
if (head.algorithm !== undefined && head.algorithm !== 'ECDSA_SHA_256') fail(`unsupported algorithm ${head.algorithm}`);

const keyText = readFileSync(keyFile, 'utf8');
let pem = keyText;
let keyId;
if (keyText.trimStart().startsWith('{')) {
  const key = JSON.parse(keyText);
  pem = key.publicKeyPem;
  keyId = key.keyId;
}
let publicKey;
try {
  publicKey = createPublicKey(pem);
} catch (error) {
  fail(`${keyFile}: not a public key (${error.message})`);
}
if (keyId !== undefined && head.keyId !== undefined && keyId !== head.keyId)
  process.stdout.write(`note: the head names key ${head.keyId}, the public key given is ${keyId}\n`);

let valid = false;
try {
  valid = verify('sha256', Buffer.from(statementOf(head), 'utf8'), publicKey, Buffer.from(head.signature, 'base64'));
} catch {
  valid = false;
}
process.stdout.write(
  `${valid ? 'VALID' : 'INVALID'}: tenant ${head.tenantId} at site ${head.site}: entry ${head.seq} (written ${head.at}) ` +
    `has hash ${head.hash}, signed ${head.signedAt}${head.keyId ? ` by ${head.keyId}` : ''}\n`,
);
process.exit(valid ? 0 : 1);
