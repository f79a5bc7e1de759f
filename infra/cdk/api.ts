import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RoutePlan } from '../../shared/config/plan.ts';
import type { FunctionName } from './functions.ts';
import { type ResolvedAws, routeKey } from './settings.ts';
import { acknowledgeSessionRoutes, gatewayChecksToken } from './sign-in.ts';

export interface HubApiProps {
  deployment: string;
  routes: RoutePlan[];
  functions: Map<FunctionName, lambda.IFunction>;
  aws: ResolvedAws;
}

/**
 * The HTTP API: every route behind a JWT authorizer (providers' or admins' issuer, audience and scopes from the
 * configuration), throttled per route, with access logs. The handlers check the token again and decide what
 * the caller may do (municipality, form type).
 */
export class HubApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly routes: apigwv2.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: HubApiProps) {
    super(scope, id);
    const { aws } = props;
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `skjemaflyt-${props.deployment}`,
      description: `Skjemaflyt (${props.deployment})`,
      createDefaultStage: false,
    });
    const authorizers = {
      provider: new HttpJwtAuthorizer('Providers', aws.auth.provider.issuer, {
        authorizerName: 'providers',
        jwtAudience: [aws.auth.provider.audience],
        identitySource: ['$request.header.Authorization'],
      }),
      admin: new HttpJwtAuthorizer('Admins', aws.auth.admin.issuer, {
        authorizerName: 'admins',
        jwtAudience: [aws.auth.admin.audience],
        identitySource: ['$request.header.Authorization'],
      }),
    };
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of props.routes) {
      const fn = props.functions.get(route.handler);
      if (!fn) throw new Error(`No function for ${routeKey(route)} (${route.handler})`);
      let integration = integrations.get(route.handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.handler}-integration`, fn, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(route.handler, integration);
      }
      const added = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        // The console's routes come with a session cookie: their function checks it (infra/cdk/sign-in.ts).
        ...(gatewayChecksToken(route)
          ? { authorizer: authorizers[route.caller], authorizationScopes: aws.auth[route.caller].scopes }
          : {}),
      });
      acknowledgeSessionRoutes(added.map((r) => ({ plan: route, route: r })));
      this.routes.push(...added);
    }

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: aws.logRetentionDays as logs.RetentionDays });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: aws.throttling.default,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // Who called what and how it went; no headers, bodies or token claims (they can name a person).
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    // Per-route throttling lives on the stage and may only name routes that exist already. The property is
    // untyped JSON in CDK, so it is written as CloudFormation spells it.
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      props.routes.map((route) => {
        const throttle = aws.throttling.routes.get(routeKey(route)) ?? aws.throttling.default;
        return [
          routeKey(route),
          { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
        ];
      }),
    );
    for (const route of this.routes) this.stage.node.addDependency(route);
  }

  get url(): string {
    return this.api.apiEndpoint;
  }
}
