import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { Organisation } from '../org';

/**
 * Sign-in with the organisation's own identity provider: OpenID Connect,
 * authorization code flow with PKCE (oidc-client-ts). Tokens live in this
 * tab's session storage only.
 */
const managers = new Map<string, UserManager>();

export function userManager(org: Organisation): UserManager {
  const signIn = org.signIn;
  if (!signIn) throw new Error(`${org.slug} has not set up sign-in for the web app`);
  let manager = managers.get(org.slug);
  if (!manager) {
    manager = new UserManager({
      authority: signIn.issuer,
      client_id: signIn.clientId,
      redirect_uri: `${location.origin}/callback`,
      post_logout_redirect_uri: `${location.origin}/`,
      response_type: 'code',
      // `roles` puts the user's roles in the ID token, so the app can show what they may do; the API reads them
      // from the access token, whose audience the identity provider sets for the API.
      scope: 'openid profile email roles',
      userStore: new WebStorageStateStore({ store: sessionStorage, prefix: `meetplane.${org.slug}.` }),
      stateStore: new WebStorageStateStore({ store: sessionStorage, prefix: 'meetplane.oidc.' }),
      automaticSilentRenew: false,
      loadUserInfo: false,
    });
    managers.set(org.slug, manager);
  }
  return manager;
}

export interface SignInState {
  readonly slug: string;
  readonly returnTo: string;
}

export async function signIn(org: Organisation, returnTo: string): Promise<void> {
  await userManager(org).signinRedirect({ state: { slug: org.slug, returnTo } satisfies SignInState });
}

export async function currentUser(org: Organisation): Promise<User | undefined> {
  const user = await userManager(org).getUser();
  return user && !user.expired ? user : undefined;
}
