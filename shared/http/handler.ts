import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../auth/claims.ts';
import { tokenVerifier } from '../auth/tokens.ts';
import { readEnv } from '../runtime/env.ts';
import { createLogger } from '../runtime/logger.ts';
import { problemDetails } from './middleware.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

let verify: ReturnType<typeof tokenVerifier> | undefined;

/** The caller, from the bearer token (verified with the configured key; a forged or missing token is 401). */
export function authenticate(event: HttpEvent): Promise<Principal> {
  if (!verify) {
    const env = readEnv();
    if (!env.jwtPublicJwk) throw new Error('SKJEMAFLYT_JWT_PUBLIC_JWK is not set');
    verify = tokenVerifier(JSON.parse(env.jwtPublicJwk), { issuer: env.jwtIssuer, audience: env.jwtAudience });
  }
  return verify(event.headers?.authorization);
}

/** The request body as text, whatever API Gateway did with it. */
export function bodyText(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** An HTTP function: the logic as a plain async function, wrapped with logging and problem+json errors. */
export function httpFunction(service: string, logic: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  const logger = createLogger(service);
  return middy<HttpEvent, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problemDetails(logger))
    .handler(logic);
}
