import { siteConfig } from '../../config/env.js';
import { dynamodbClient, kmsClient } from '../clients.js';
import { headSigningPorts } from '../audit-heads-composition.js';
import { signAuditHead } from '../domain/audit-heads.js';
import { logger } from '../http/logger.js';
import { kmsAuditSigningKey } from '../keys/audit-signing-key.js';
import { AuditHeadStore } from '../store/audit-head-store.js';
import { tenantIdsHomedHere } from '../store/tenant-store.js';

/** Tenants signed at once: a few, so that a slow KMS or table does not stretch the run past its timeout. */
const CONCURRENCY = 4;

export interface SigningRun {
  readonly tenants: number;
  readonly signed: number;
  readonly failed: number;
}

/**
 * The scheduled signer (EventBridge, every 15 minutes per site): signs the
 * head of every tenant homed here, suspended ones too, whose log moved since
 * its last signed head or whose last head is a day old. One tenant's failure
 * stops no one else; the run fails at the end if any did, so that the
 * function's error alarm fires.
 */
export async function signAllHeads(): Promise<SigningRun> {
  const config = siteConfig();
  const dynamodb = dynamodbClient(config);
  const store = new AuditHeadStore(dynamodb, config.tableName);
  const ports = headSigningPorts(store, kmsAuditSigningKey(kmsClient(config), config.auditSigningKeyId), (id) =>
    store.retention(id),
  );
  let tenants = 0;
  let signed = 0;
  let failed = 0;
  for await (const page of tenantIdsHomedHere(dynamodb, config.tableName)) {
    for (let i = 0; i < page.length; i += CONCURRENCY) {
      const batch = page.slice(i, i + CONCURRENCY);
      const results = await Promise.allSettled(
        batch.map((tenantId) => signAuditHead(ports, config.siteId, tenantId, { whenDue: true })),
      );
      results.forEach((result, j) => {
        tenants++;
        if (result.status === 'fulfilled') {
          if (result.value) signed++;
        } else {
          failed++;
          // Tenant ids name organisations, not people; the error's class name says what failed.
          logger.error('audit head not signed', { tenantId: batch[j], errorName: (result.reason as Error).name });
        }
      });
    }
  }
  logger.info('audit heads signed', { tenants, signed, failed });
  return { tenants, signed, failed };
}

export async function handler(): Promise<SigningRun> {
  const run = await signAllHeads();
  if (run.failed > 0) throw new Error(`${run.failed} of ${run.tenants} tenants' audit heads were not signed`);
  return run;
}
