/**
 * Stands in for @aws-sdk/credential-provider-node in Lambda bundles (an esbuild alias in bundling.ts).
 * Lambda always hands a function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, so the default chain's SSO, INI, process, web-identity and IMDS providers (and the
 * STS/SSO clients they pull in, about 90 KB minified) are never used there; leaving them out shortens
 * every cold start. Local runs are not bundled and keep the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
