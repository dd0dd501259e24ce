/**
 * Stands in for @aws-sdk/credential-provider-node in deployed bundles
 * (cdk/bundling.ts). That package is the SDK's default credential chain —
 * environment, SSO, shared ini files, credential processes, web identity,
 * container and instance metadata, with the SSO, OIDC and STS clients they
 * bring — about 100 KB of every bundle. In Lambda the environment always holds
 * the function role's credentials, and lambdas/clients.ts hands every client
 * fromEnv() explicitly, so the chain is never consulted; were it consulted,
 * the environment is the answer it would give there too.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
