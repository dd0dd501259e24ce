import { randomBytes } from 'node:crypto';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { AlgorithmSuiteIdentifier, CommitmentPolicy } from '@aws-crypto/material-management-node';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DomainError } from '../../lambdas/domain/errors.js';
import {
  DATA_KEY_CACHE_LIMITS,
  kmsKeyring,
  kmsPersonalDataCipher,
  PERSONAL_DATA_SUITE,
  SealedDataError,
} from '../../lambdas/keys/personal-data-cipher.js';
import { sealedHeader } from '../support/scan.js';

const REGION = 'eu-central-1';
const KEY_ARN = `arn:aws:kms:${REGION}:111122223333:key/00000000-0000-4000-8000-000000000001`;
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:111122223333:key/00000000-0000-4000-8000-000000000002`;
const key = { tenantId: 'tn_1', keyArn: KEY_ARN };
const data = { title: 'Quarterly review', invitees: ['a@example.eu'] };

/**
 * KMS in memory, as the cipher sees it through the site's KMSClient: data keys
 * bound to their key and encryption context, answers copied as over the wire,
 * every call counted. `mode` makes it unreachable or refuse the key.
 */
function fakeKms() {
  const wrapped = new Map<string, { keyId: string; plaintext: Uint8Array; context: string }>();
  const contextOf = (context: Record<string, string> | undefined) => JSON.stringify(Object.entries(context ?? {}).sort());
  const calls: string[] = [];
  const state = { mode: 'up' as 'up' | 'down' | 'refusing' };
  const client = {
    async send(command: GenerateDataKeyCommand | DecryptCommand) {
      calls.push(command.constructor.name);
      await new Promise((resolve) => setImmediate(resolve));
      if (state.mode === 'down') throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
      if (state.mode === 'refusing') throw Object.assign(new Error('no'), { name: 'AccessDeniedException' });
      if (command instanceof GenerateDataKeyCommand) {
        const plaintext = new Uint8Array(randomBytes(command.input.NumberOfBytes ?? 32));
        const blob = new Uint8Array(randomBytes(48));
        const entry = {
          keyId: command.input.KeyId!,
          plaintext: plaintext.slice(),
          context: contextOf(command.input.EncryptionContext),
        };
        wrapped.set(Buffer.from(blob).toString('hex'), entry);
        return { KeyId: command.input.KeyId, Plaintext: plaintext, CiphertextBlob: blob };
      }
      const found = wrapped.get(Buffer.from(command.input.CiphertextBlob!).toString('hex'));
      if (!found || found.keyId !== command.input.KeyId || found.context !== contextOf(command.input.EncryptionContext)) {
        throw Object.assign(new Error('does not open'), { name: 'InvalidCiphertextException' });
      }
      return { KeyId: found.keyId, Plaintext: found.plaintext.slice() };
    },
  };
  return { client: client as unknown as KMSClient, calls, state };
}

const count = (calls: string[], name: string) => calls.filter((call) => call === name).length;

describe('the personal data cipher (AWS Encryption SDK)', () => {
  it('opens what it sealed; the sealed value is an Encryption SDK message of the committing, non-signing suite', async () => {
    const { client } = fakeKms();
    const cipher = kmsPersonalDataCipher(client, 'fra', REGION);
    const sealed = await cipher.seal(key, 'meeting', data);
    expect(await cipher.open(key, 'meeting', sealed)).toEqual(data);
    expect(Buffer.from(sealed).toString('utf8')).not.toContain('Quarterly');
    const header = sealedHeader(sealed);
    expect(header.suiteId).toBe(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY);
    expect(PERSONAL_DATA_SUITE).toBe(header.suiteId);
    expect(header.keyArn).toBe(KEY_ARN);
    expect(header.context).toEqual({ tenantId: 'tn_1', site: 'fra', purpose: 'meeting' });
  });

  it('refuses another purpose, tenant, site or key before asking KMS', async () => {
    const { client, calls } = fakeKms();
    const cipher = kmsPersonalDataCipher(client, 'fra', REGION);
    const sealed = await cipher.seal(key, 'meeting', data);
    const before = calls.length;
    await expect(cipher.open(key, 'report', sealed)).rejects.toThrow(
      new SealedDataError('sealed data belongs to another purpose'),
    );
    await expect(cipher.open({ ...key, tenantId: 'tn_2' }, 'meeting', sealed)).rejects.toThrow(
      new SealedDataError('sealed data belongs to another tenantId'),
    );
    await expect(kmsPersonalDataCipher(client, 'ams', REGION).open(key, 'meeting', sealed)).rejects.toThrow(
      new SealedDataError('sealed data belongs to another site'),
    );
    await expect(cipher.open({ ...key, keyArn: OTHER_KEY_ARN }, 'meeting', sealed)).rejects.toThrow(
      new SealedDataError('sealed data was sealed under another key'),
    );
    expect(calls.length).toBe(before);
  });

  it('never uses a key outside its own region', async () => {
    const { client, calls } = fakeKms();
    const cipher = kmsPersonalDataCipher(client, 'fra', REGION);
    const elsewhere = { ...key, keyArn: KEY_ARN.replace(REGION, 'eu-west-1') };
    await expect(cipher.seal(elsewhere, 'meeting', data)).rejects.toThrow(SealedDataError);
    expect(calls).toEqual([]);
  });

  it('refuses a message whose context has a field more, even one KMS would accept', async () => {
    const { client } = fakeKms();
    const { encrypt } = buildEncrypt(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = kmsKeyring({
      generatorKeyId: KEY_ARN,
      clientProvider: () => ({
        generateDataKey: (input) => client.send(new GenerateDataKeyCommand(input)),
        encrypt: () => Promise.reject(new Error('not used')),
        decrypt: (input) => client.send(new DecryptCommand(input)),
      }),
    });
    const context = { tenantId: 'tn_1', site: 'fra', purpose: 'meeting', extra: 'x' };
    const { result } = await encrypt(keyring, JSON.stringify(data), { encryptionContext: context, suiteId: PERSONAL_DATA_SUITE });
    await expect(kmsPersonalDataCipher(client, 'fra', REGION).open(key, 'meeting', result)).rejects.toThrow(
      new SealedDataError('sealed data carries an unexpected encryption context'),
    );
  });

  it('refuses a signed message, though it commits to its key', async () => {
    const { client } = fakeKms();
    const { encrypt } = buildEncrypt(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = kmsKeyring({
      generatorKeyId: KEY_ARN,
      clientProvider: () => ({
        generateDataKey: (input) => client.send(new GenerateDataKeyCommand(input)),
        encrypt: () => Promise.reject(new Error('not used')),
        decrypt: (input) => client.send(new DecryptCommand(input)),
      }),
    });
    const { result } = await encrypt(keyring, JSON.stringify(data), {
      encryptionContext: { tenantId: 'tn_1', site: 'fra', purpose: 'meeting' },
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    await expect(kmsPersonalDataCipher(client, 'fra', REGION).open(key, 'meeting', result)).rejects.toThrow(
      new SealedDataError('sealed data uses another algorithm suite'),
    );
  });

  it('refuses an altered message', async () => {
    const { client } = fakeKms();
    const cipher = kmsPersonalDataCipher(client, 'fra', REGION);
    const sealed = await cipher.seal(key, 'meeting', data);
    const altered = sealed.slice();
    altered[altered.length - 20]! ^= 1;
    await expect(cipher.open(key, 'meeting', altered)).rejects.toThrow(SealedDataError);
    await expect(cipher.open(key, 'meeting', new Uint8Array([1, 2, 3]))).rejects.toThrow(SealedDataError);
  });

  it('asks KMS once for many seals and once for many opens of the same data key', async () => {
    const { client, calls } = fakeKms();
    const cipher = kmsPersonalDataCipher(client, 'fra', REGION);
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) sealed.push(await cipher.seal(key, 'meeting', { ...data, i }));
    expect(count(calls, 'GenerateDataKeyCommand')).toBe(1);
    // Another container, cold: concurrent opens share one unwrap, later ones come from the cache.
    const reader = kmsPersonalDataCipher(client, 'fra', REGION);
    const opened = await Promise.all(sealed.map((value) => reader.open<{ i: number }>(key, 'meeting', value)));
    expect(opened.map((value) => value.i)).toEqual([...Array(50).keys()]);
    for (const value of sealed.slice(0, 10)) await reader.open(key, 'meeting', value);
    expect(count(calls, 'DecryptCommand')).toBe(1);
    // Its own seals share a data key per purpose.
    await cipher.seal(key, 'report', data);
    await cipher.seal(key, 'report', data);
    expect(count(calls, 'GenerateDataKeyCommand')).toBe(2);
  });

  it('takes a fresh data key after the message limit', async () => {
    const { client, calls } = fakeKms();
    const cipher = kmsPersonalDataCipher(client, 'fra', REGION);
    const wrappedKeys = new Set<string>();
    for (let i = 0; i <= DATA_KEY_CACHE_LIMITS.maxMessagesEncrypted; i++) {
      wrappedKeys.add(Buffer.from(sealedHeader(await cipher.seal(key, 'user', i)).wrappedKey).toString('hex'));
    }
    expect(count(calls, 'GenerateDataKeyCommand')).toBe(2);
    expect(wrappedKeys.size).toBe(2);
  });

  it('answers a KMS outage as unavailable (503) and a refusal as a sealed-data error, sealing and opening', async () => {
    const kms = fakeKms();
    const cipher = kmsPersonalDataCipher(kms.client, 'fra', REGION);
    const sealed = await cipher.seal(key, 'meeting', data);
    const cold = kmsPersonalDataCipher(kms.client, 'fra', REGION);

    kms.state.mode = 'down';
    const outage = { name: 'DomainError', kind: 'unavailable' };
    await expect(cold.seal(key, 'meeting', data)).rejects.toMatchObject(outage);
    await expect(cold.open(key, 'meeting', sealed)).rejects.toMatchObject(outage);
    await expect(cold.open(key, 'meeting', sealed)).rejects.toBeInstanceOf(DomainError);

    kms.state.mode = 'refusing';
    const refused = new SealedDataError('KMS refused the tenant key (AccessDeniedException)');
    await expect(cold.seal(key, 'meeting', data)).rejects.toThrow(refused);
    await expect(cold.open(key, 'meeting', sealed)).rejects.toThrow(refused);

    // A failure is not remembered: once KMS answers again, so does the cipher.
    kms.state.mode = 'up';
    expect(await cold.open(key, 'meeting', sealed)).toEqual(data);
  });
});
