import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../auth/claims.ts';
import type { ProviderIdentity } from '../auth/maskinporten.ts';
import { authSettingsFromEnv } from '../auth/settings.ts';
import type { StaffAccess } from '../auth/staff.ts';
import { principalResolver } from '../auth/tokens.ts';
import type { JwtVariables } from '../runtime/env.ts';
import { createLogger } from '../runtime/logger.ts';
import { problemDetails } from './middleware.ts';
import { problemOf } from './problem.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/**
 * The caller, from the bearer token (a forged, expired or missing token is 401; a valid Maskinporten token for an
 * organisation no provider is, or without the provider's scope, is 403). On AWS API Gateway's JWT authorizer has
 * checked issuer, audience and scope already; the handler checks again, so a misconfigured route lets nobody in.
 * Settings: the function's token variables (see shared/auth/settings.ts), read into a verifier at the first
 * request; the providers' identities from the configuration (a function that trusts only admins has none).
 */
export function authenticator(
  jwt: JwtVariables,
  providerIdentities: () => Promise<readonly ProviderIdentity[]> = async () => [],
  staffAccess: () => Promise<StaffAccess> = async () => ({ rules: [] }),
): (event: HttpEvent) => Promise<Principal> {
  let resolve: ReturnType<typeof principalResolver> | undefined;
  return (event) => {
    resolve ??= principalResolver(authSettingsFromEnv(jwt), providerIdentities, staffAccess);
    return resolve(event.headers?.authorization);
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as text, whatever API Gateway did with it; bytes that are not UTF-8 are refused (400),
 * never quietly replaced. A text body that already holds U+FFFD had its invalid bytes replaced on the way.
 */
export function bodyText(event: HttpEvent): string {
  if (!event.body) return '';
  let text: string;
  try {
    text = event.isBase64Encoded ? utf8.decode(Buffer.from(event.body, 'base64')) : event.body;
  } catch {
    text = '\uFFFD';
  }
  if (text.includes('\uFFFD')) {
    throw problemOf('invalid-json', 'Innsendingen er ikke gyldig UTF-8.', {
      errors: [{ path: '', code: 'invalid-utf8', message: 'Forespørselen inneholder byte som ikke er gyldig UTF-8.' }],
    });
  }
  return text;
}

/** An HTTP function: the logic as a plain async function, wrapped with logging and problem+json errors. */
export function httpFunction(service: string, logic: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  const logger = createLogger(service);
  return middy<HttpEvent, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problemDetails(logger))
    .handler(logic);
}
