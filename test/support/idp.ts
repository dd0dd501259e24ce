import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';

/**
 * A real OpenID-style identity provider for tests: an ES256 key pair whose
 * public half is served as a JWKS on loopback, and a signer for tokens.
 */
export class TestIdentityProvider {
  private constructor(
    private readonly server: Server,
    private readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'],
    readonly kid: string,
    readonly issuer: string,
    readonly jwksUri: string,
    readonly audience: string,
  ) {}

  static async start(audience = 'meetplane'): Promise<TestIdentityProvider> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const server = createServer((req, res) => {
      if (req.url === '/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [jwk] }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const base = `http://127.0.0.1:${port}`;
    return new TestIdentityProvider(server, privateKey, kid, `${base}/issuer/${randomUUID()}`, `${base}/jwks.json`, audience);
  }

  get idpConfig() {
    return { issuer: this.issuer, jwksUri: this.jwksUri, audience: this.audience };
  }

  async token(subject: string, roles: string[] = [], overrides: JWTPayload & { expiresIn?: string } = {}): Promise<string> {
    const { expiresIn, ...claims } = overrides;
    // Explicit claims (an `exp` in the past, another `aud`) win over the defaults.
    const jwt = new SignJWT({ roles, ...claims }).setProtectedHeader({ alg: 'ES256', kid: this.kid }).setIssuedAt();
    if (claims.iss === undefined) jwt.setIssuer(this.issuer);
    if (claims.aud === undefined) jwt.setAudience(this.audience);
    if (claims.sub === undefined) jwt.setSubject(subject);
    if (claims.exp === undefined) jwt.setExpirationTime(expiresIn ?? '10m');
    return jwt.sign(this.privateKey);
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}
