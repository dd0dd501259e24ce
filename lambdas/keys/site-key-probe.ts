import { EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ProbeFailure, type Probe } from '../domain/probe.js';

const PROBE_PLAINTEXT = new Uint8Array([1]);

/** The site key can encrypt: it exists, is enabled, and this role may use it. */
export function siteKeyProbe(kms: KMSClient, keyId: string, siteId: string): Probe {
  return async (signal) => {
    try {
      await kms.send(
        new EncryptCommand({ KeyId: keyId, Plaintext: PROBE_PLAINTEXT, EncryptionContext: { purpose: 'health', site: siteId } }),
        { abortSignal: signal },
      );
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'NotFoundException') throw new ProbeFailure('missing');
      if (name === 'DisabledException' || name === 'KMSInvalidStateException' || name === 'AccessDeniedException') {
        throw new ProbeFailure('not-usable');
      }
      throw error;
    }
  };
}
