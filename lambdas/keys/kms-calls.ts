import { unavailable } from '../domain/errors.js';

/** KMS answers that mean the request cannot succeed as it stands, as opposed to KMS being unreachable or busy. */
const KMS_REFUSALS = new Set([
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'AccessDeniedException',
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidKeyUsageException',
  'InvalidGrantTokenException',
  'InvalidArnException',
  'ValidationException',
]);

/**
 * Runs one KMS call. A refusal is passed to `refused` (by default rethrown):
 * a key that cannot be used is a fault of the stored data or the tenant's key,
 * never the caller's. Anything else — no answer, throttling, KMS's own
 * errors — means KMS is unavailable, which the API answers with 503 and
 * Retry-After.
 */
export async function callKms<T>(call: () => Promise<T>, refused: (error: Error) => never = rethrow): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && KMS_REFUSALS.has(error.name)) refused(error);
    throw unavailable('the key service did not answer');
  }
}

function rethrow(error: Error): never {
  throw error;
}
