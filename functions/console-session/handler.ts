import {
  describeSession,
  finishSignIn,
  type HttpAnswer,
  signOut,
  startSignIn,
} from '../../shared/auth/console-session.ts';
import { SessionStore } from '../../shared/auth/sessions.ts';
import { staffAccessOf } from '../../shared/auth/staff.ts';
import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { NOSNIFF, problems } from '../../shared/http/problem.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createSecretStore } from '../../shared/secrets/store.ts';

/** The console's backend-for-frontend: staff sign in with their identity provider; the browser keeps a cookie. */
export function createHandler(env: FunctionEnv<'console-session'>) {
  const logger = createLogger('console-session');
  const store = new SessionStore(createDynamoDb(env.aws).dynamo, env.tableName);
  const registry = registryLoader(env.config);
  const secrets = createSecretStore(env.secrets, env.aws);
  const { clientSecretName, ...signIn } = env.consoleSession.signIn;
  const settings = {
    ...signIn,
    consoleUrl: env.consoleSession.consoleUrl,
    clientSecret: async () => {
      const value = await secrets.get(clientSecretName);
      if (!value) throw new Error(`The console's client secret (${clientSecretName}) is not set`);
      return value;
    },
  };
  return httpFunction('console-session', async (event) => {
    const cookies = event.cookies;
    let answer: HttpAnswer;
    switch (event.routeKey) {
      case 'GET /auth/login':
        answer = await startSignIn(settings, store, event.queryStringParameters?.returnTo);
        break;
      case 'GET /auth/callback': {
        const url = new URL(`/auth/callback?${event.rawQueryString}`, settings.consoleUrl);
        const finished = await finishSignIn(settings, store, { url, cookies });
        // Why a sign-in failed, never with the code, state or token
        if (finished.failure) logger.warn('sign-in did not complete', { failure: finished.failure });
        answer = finished;
        break;
      }
      case 'GET /auth/session':
        answer = await describeSession(settings, store, cookies, staffAccessOf((await registry()).config.deployments));
        break;
      case 'POST /auth/logout':
        answer = await signOut(settings, store, { cookies, headers: event.headers ?? {} });
        break;
      default:
        throw problems.notFound('Ukjent adresse.');
    }
    return {
      statusCode: answer.status,
      headers: {
        'cache-control': 'no-store',
        ...NOSNIFF,
        ...(answer.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...answer.headers,
      },
      ...(answer.cookies?.length ? { cookies: answer.cookies } : {}),
      ...(answer.body !== undefined ? { body: JSON.stringify(answer.body) } : {}),
    };
  });
}

export const handler = atColdStart('console-session', createHandler);
