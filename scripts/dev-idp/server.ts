import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WEB_ORIGIN } from '../local-stack/layout.js';
import { devIdpKeys, DEV_IDP_PORT, DEV_IDP_WEB_CLIENT_ID } from './identity.js';
import { loginPage, page } from './pages.js';
import { devIdentityProvider, INTERACTION_PATH } from './provider.js';
import { checkCredentials } from './users.js';

/**
 * The local stack's dev identity provider on loopback: the OpenID provider
 * (./provider.ts) and its own login page at /interaction/<uid>. Logs only
 * that it started and the class of an unexpected error: no user, no token.
 */
const { privateJwk } = await devIdpKeys();
const provider = devIdentityProvider(privateJwk);
const oidc = provider.callback();
provider.on('server_error', (_ctx, error) => process.stderr.write(`dev identity provider: server error (${error.name})\n`));

const MAX_FORM_BYTES = 4096;
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The login form's redirects end at the web app's callback: form-action covers every hop of them.
  'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${WEB_ORIGIN}; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** GET /interaction/<uid>: the login form; POST /interaction/<uid>/login: checks the credentials and resumes the flow. */
async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    req.resume();
    sendPage(res, 400, page('Sign-in expired', '<h1>This sign-in has expired</h1><p>Start again from the app.</p>'));
    return;
  }
  if (details.uid !== uid) {
    req.resume();
    sendPage(res, 400, page('Sign-in expired', '<h1>This sign-in has expired</h1><p>Start again from the app.</p>'));
    return;
  }
  const clientId = String(details.params.client_id ?? '');
  const client = await provider.Client.find(clientId);
  const clientName = client?.clientName ?? clientId;
  const formAction = `${INTERACTION_PATH}/${uid}/login`;

  if (details.prompt.name === 'consent' && clientId === DEV_IDP_WEB_CLIENT_ID) {
    // The first-party web client is granted at sign-in (provider.ts, loadExistingGrant); nothing to ask.
    req.resume();
    await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    return;
  }
  if (details.prompt.name !== 'login') {
    req.resume();
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'this provider asks for no consent' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (req.method === 'GET' && action === undefined) {
    sendPage(res, 200, loginPage({ action: formAction, clientName }));
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const username = form?.get('username') ?? '';
    const user = checkCredentials(username, form?.get('password') ?? '');
    if (!user) {
      sendPage(
        res,
        401,
        loginPage({ action: formAction, clientName, username, error: 'The username or password is not right. Try again.' }),
      );
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.user } }, { mergeWithLastSubmission: false });
    return;
  }
  req.resume();
  sendPage(res, 405, page('Not allowed', '<h1>Not allowed</h1>'));
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://dev-idp.local').pathname;
  const match = new RegExp(`^${INTERACTION_PATH}/([A-Za-z0-9_-]{1,64})(?:/(login))?$`).exec(path);
  if (!match) {
    void oidc(req, res);
    return;
  }
  interaction(req, res, match[1]!, match[2]).catch((error: unknown) => {
    process.stderr.write(`dev identity provider: interaction failed (${error instanceof Error ? error.name : 'error'})\n`);
    if (!res.headersSent) sendPage(res, 500, page('Error', '<h1>Something went wrong</h1>'));
    else res.end();
  });
});
server.listen(DEV_IDP_PORT, '127.0.0.1', () =>
  process.stdout.write(`dev identity provider (OpenID provider) on http://127.0.0.1:${DEV_IDP_PORT}\n`),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
