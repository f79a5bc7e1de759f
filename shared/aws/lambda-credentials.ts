/**
 * Stands in for `@aws-sdk/credential-provider-node` in the production bundles only (infra/cdk/functions.ts
 * `bundlingFor` aliases it here; local runs of the .ts sources keep the SDK's default chain).
 *
 * Lambda puts the execution role's credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), and the default chain tries the environment first, so on Lambda it always ends there. The
 * rest of the chain (SSO, STS and web identity through nested clients, ini files, credential processes, IMDS) is
 * dead weight there: about 130 KB of every minified bundle, parsed at every cold start. The SDK clients import
 * only `defaultProvider` from the package, with the same signature as `fromEnv`: (init) => provider.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
