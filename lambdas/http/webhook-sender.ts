import http from 'node:http';
import https from 'node:https';
import { SIGNATURE_HEADER, type WebhookResult } from '../domain/advisories.js';
import { outboundFailure, type OutboundPolicy } from '../net/outbound-policy.js';

/**
 * POSTs a signed JSON body to a tenant's webhook through the outbound policy
 * (the address connected to is the one checked): a short timeout that covers
 * the lookup too, no redirects followed (a 3xx is a failure, not a hop to
 * wherever it points), and only the status is kept of the answer. A failure
 * is a code — `refused-destination` (with the kind of address refused),
 * `unresolvable`, `timeout` or `unreachable` — never the socket's own.
 */
export async function postWebhook(
  url: string,
  body: string,
  signature: string,
  deliveryId: string,
  timeoutMs: number,
  policy: OutboundPolicy,
): Promise<WebhookResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { error: 'url-not-allowed' };
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return { error: 'url-not-allowed' };
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<WebhookResult>((done) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        agent: policy.agent(target.protocol as 'http:' | 'https:'),
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body, 'utf8')),
          'user-agent': 'Meetplane-Advisories/1',
          [SIGNATURE_HEADER]: signature,
          'meetplane-delivery': deliveryId,
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        done({ httpStatus: response.statusCode ?? 0 });
        // Only the status counts; the body is not read.
        response.destroy();
      },
    );
    request.on('error', (error) => {
      const { code, refused } = outboundFailure(error);
      done({ error: code, ...(refused && { refused }) });
    });
    request.end(body, 'utf8');
  });
}
