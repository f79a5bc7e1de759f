import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONSOLE_DIR, CONSOLE_HEADERS } from '../../infra/local/console-files.ts';
import type { ResolvedAws } from './settings.ts';

/** Where the console is served (as locally: http://127.0.0.1:8080/console/). */
export const CONSOLE_PATH = '/console/';
/** Paths CloudFront sends to the HTTP API (same origin as the console: no CORS, the sign-in's cookie stays first-party). */
export const API_PATHS = ['/v1/*', '/auth/*'] as const;

export interface ConsoleHostingProps {
  deployment: string;
  api: apigwv2.HttpApi;
  console: ResolvedAws['console'];
  /** The stack's S3 access-log bucket (server access logs of the console's bucket) */
  accessLogs: s3.IBucket;
}

/**
 * The archive staff's console on AWS, the way static sites are hosted there: the files in a private bucket that
 * only this distribution may read (origin access control), one CloudFront distribution for the console and the API
 * (/v1/* and /auth/* go to the HTTP API, never cached), the same Content-Security-Policy and security headers as the
 * local runner's, and the deployment's WAF web ACL when it names one.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** CloudFront's standard logs need a bucket with ACLs (they are written by CloudFront's own account) */
  readonly logs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const { console: settings } = props;
    this.bucket = new s3.Bucket(this, 'Files', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console/',
      // Only the console's own files, rebuilt from the repository at every deploy.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Request metadata only (no bodies); kept a year like the S3 access logs.
    this.logs = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console-logs/',
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The local runner's headers (infra/local/console-files.ts), plus what only a public host needs.
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `skjemaflyt-${props.deployment}-console`,
      comment: 'Skjemaflyt console and API: strict CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_HEADERS['content-security-policy'], override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=()',
            override: true,
          },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
      removeHeaders: ['Server'],
    });

    // "/" goes to the console; a folder's path is its index.html (an S3 origin has no index documents).
    const paths = new cloudfront.Function(this, 'ConsolePaths', {
      functionName: `skjemaflyt-${props.deployment}-console-paths`,
      comment: 'Skjemaflyt: / to /console/, folders to index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  if (request.uri === '/' || request.uri === '${CONSOLE_PATH.slice(0, -1)}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_PATH}' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`),
    });

    // The API's own host (https://<id>.execute-api.<region>.amazonaws.com): the Host header is CloudFront's.
    const apiDomain = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    const apiOrigin = new origins.HttpOrigin(apiDomain, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Never cached; with caching off every viewer header but Host (Authorization, the sign-in's cookie) is passed on.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.headers,
    };

    const domain = settings.domainName && settings.certificateArn ? settings : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Skjemaflyt ${props.deployment}: console and API`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [{ function: paths, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(API_PATHS.map((path) => [path, apiBehavior])),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(domain
        ? {
            // Only with its own certificate can a distribution refuse TLS below 1.2 (the default one is fixed).
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            domainNames: [domain.domainName as string],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn as string),
          }
        : {}),
      ...(settings.webAclArn ? { webAclId: settings.webAclArn } : {}),
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
    });

    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(CONSOLE_DIR)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PATH.slice(1),
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}*`],
      // Short-lived in browsers: a new deploy of the console is seen at the next load.
      cacheControl: [s3deploy.CacheControl.noCache()],
      memoryLimit: 256,
    });
  }

  /** https://<domain>/console/ */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}${CONSOLE_PATH}`;
  }
}
