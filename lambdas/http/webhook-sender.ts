import { SIGNATURE_HEADER } from '../domain/advisories.js';

/**
 * POSTs a signed JSON body to a tenant's webhook: a short timeout, no
 * redirects followed (a 3xx is a failure, not a hop to wherever it points),
 * and only the status is kept of the answer.
 */
export async function postWebhook(
  url: string,
  body: string,
  signature: string,
  deliveryId: string,
  timeoutMs: number,
): Promise<{ httpStatus: number } | { error: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Meetplane-Advisories/1',
        [SIGNATURE_HEADER]: signature,
        'meetplane-delivery': deliveryId,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return { httpStatus: response.status };
  } catch (error) {
    const name = (error as { name?: string }).name;
    return { error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable' };
  }
}
