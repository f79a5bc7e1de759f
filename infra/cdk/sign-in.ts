import { Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type { RoutePlan } from '../../shared/config/plan.ts';
import type { DeploymentConfig } from '../../shared/config/types.ts';
import type { HubEnvironment } from '../../shared/runtime/env.ts';

/**
 * The console's sign-in on AWS: the staff's identity provider from the deployment file (`aws.auth.admins`), its
 * client secret from Secrets Manager (`skjemaflyt/<deployment>/<clientSecret.env>`), and the routes the browser
 * reaches with its session cookie. Those routes have no JWT authorizer: API Gateway's reads a bearer header only,
 * and the console has none. The functions check every call themselves (a session from the table, or a bearer
 * token against the identity provider's JWKS), as they do behind an authorizer too.
 */
export function staffSignInEnvironment(config: DeploymentConfig): HubEnvironment['staffSignIn'] {
  const admins = config.aws?.auth.admins;
  if (!admins) throw new Error(`${config.deployment}: aws.auth.admins is missing`);
  return {
    consoleUrl: admins.consoleUrl,
    issuer: admins.issuer,
    clientId: admins.clientId,
    // Its name only: the function reads it from Secrets Manager at run time (shared/secrets), never the template.
    clientSecret: { env: admins.clientSecret.env },
    scopes: admins.signInScopes ?? ['openid', 'profile'],
    sessionMinutes: admins.sessionMinutes ?? 480,
  };
}

/** The redirect URI to register in the identity provider (Entra ID: the app registration's Web platform). */
export const redirectUriOf = (consoleUrl: string) => new URL('/auth/callback', consoleUrl).href;

/** Whether API Gateway checks a bearer token on the route (not where the browser comes with its session cookie). */
export const gatewayChecksToken = (route: RoutePlan) => route.session === undefined;

/** cdk-nag's APIG4 on the session routes, with the reason. */
export function acknowledgeSessionRoutes(routes: { plan: RoutePlan; route: apigwv2.HttpRoute }[]): void {
  for (const { plan, route } of routes) {
    if (gatewayChecksToken(plan)) continue;
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        plan.session === 'sign-in'
          ? "The console's sign-in (OpenID Connect, authorization code with PKCE): the person is not signed in yet; " +
            'the function checks state, PKCE and the ID token.'
          : "The console calls with its HttpOnly session cookie, which API Gateway's JWT authorizer cannot read. The " +
            'admin function authenticates every call itself: a live session from the table (and the CSRF token on ' +
            "state-changing calls) or a bearer token verified against the staff's identity provider's JWKS.",
    });
  }
}
