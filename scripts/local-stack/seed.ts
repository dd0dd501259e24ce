import {
  DEMO_TENANT_SLUG,
  DEV_IDP_AUDIENCE,
  DEV_IDP_ISSUER,
  DEV_IDP_JWKS_URI,
  DEV_IDP_WEB_CLIENT_ID,
} from '../dev-idp/identity.js';

/** Creates the demo tenant through the operator API, as an operator would; returns its id. */
export async function seedDemoTenant(apiUrl: string, operatorToken: string): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/tenants`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${operatorToken}`,
      'content-type': 'application/json',
      'idempotency-key': 'seed-demo-tenant',
    },
    body: JSON.stringify({
      slug: DEMO_TENANT_SLUG,
      homeSite: 'fra',
      allowedSites: ['ams'],
      tier: 'business',
      idp: { issuer: DEV_IDP_ISSUER, jwksUri: DEV_IDP_JWKS_URI, audience: DEV_IDP_AUDIENCE, webClientId: DEV_IDP_WEB_CLIENT_ID },
      securityContacts: [{ email: 'security@demo.example', name: 'Demo security desk' }],
    }),
  });
  const body = (await response.json()) as { id?: string; detail?: string };
  if (response.status !== 201 || !body.id)
    throw new Error(`seeding the demo tenant failed: ${response.status} ${body.detail ?? ''}`);
  return body.id;
}
