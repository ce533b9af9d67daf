import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

/** The server-rendered pages (functions/web/handler.ts); paths are the contract's "Web app" table. */
export const webPages: { method: 'GET' | 'POST'; path: string }[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/e/{eventId}' },
  { method: 'POST', path: '/e/{eventId}/rsvp' },
  { method: 'GET', path: '/e/{eventId}/calendar.ics' },
  { method: 'GET', path: '/a/{slug}' },
  { method: 'POST', path: '/a/{slug}/join' },
  { method: 'GET', path: '/account' },
  { method: 'POST', path: '/account/profile' },
  { method: 'POST', path: '/account/consent' },
  { method: 'POST', path: '/account/memberships/{associationId}/{action}' },
  { method: 'GET', path: '/account/export' },
  { method: 'GET', path: '/account/receipts/{paymentId}' },
  { method: 'POST', path: '/account/matches/{eventId}/{matchId}/{action}' },
  { method: 'GET', path: '/account/delete' },
  { method: 'POST', path: '/account/delete' },
  { method: 'GET', path: '/manage/events/{eventId}' },
  { method: 'POST', path: '/manage/events/{eventId}/check-in' },
  { method: 'GET', path: '/manage/events/{eventId}/export' },
  { method: 'GET', path: '/manage/events/{eventId}/cancel' },
  { method: 'POST', path: '/manage/events/{eventId}/cancel' },
  { method: 'POST', path: '/manage/events/{eventId}/matches/{action}' },
  { method: 'GET', path: '/manage/events/{eventId}/edit' },
  { method: 'POST', path: '/manage/events/{eventId}/edit' },
  { method: 'GET', path: '/manage/associations/{associationId}/events/new' },
  { method: 'POST', path: '/manage/associations/{associationId}/events/new' },
  { method: 'GET', path: '/manage/associations/{associationId}' },
  { method: 'GET', path: '/manage/associations/{associationId}/{file}' },
  { method: 'POST', path: '/manage/associations/{associationId}/{action}' },
  { method: 'POST', path: '/manage/associations/{associationId}/{kind}/{itemId}/{action}' },
  { method: 'GET', path: '/sign-in' },
  { method: 'GET', path: '/auth/callback' },
  { method: 'POST', path: '/sign-out' },
  // My network and the members directory (functions/web/network.ts, directory.ts).
  { method: 'GET', path: '/account/network' },
  { method: 'POST', path: '/account/network/ask' },
  { method: 'POST', path: '/account/network/{connectionId}/{action}' },
  { method: 'GET', path: '/account/network/{file}' },
  { method: 'GET', path: '/a/{slug}/directory' },
];

export interface WebAppProps {
  httpApi: apigw.HttpApi;
  /** The page function. */
  fn: lambda.IFunction;
  /** Requests per 5 minutes from one IP before WAF blocks it. */
  rateLimitPer5Min?: number;
}

/** CSP for responses that do not set their own (the pages set a stricter one). */
export const defaultCsp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/**
 * One origin for the web app: CloudFront in front of the static assets (S3 with origin
 * access control), the API under /api/* (the prefix is stripped at the edge) and the pages
 * (the HTTP API's page routes, served by the web function), with security headers and a
 * WAF web ACL with a per-IP rate rule. CLOUDFRONT-scoped WAF ACLs exist only in us-east-1:
 * deploy this stack there (or move the ACL to a us-east-1 stack).
 */
export class WebApp extends Construct {
  readonly assets: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);

    // Pages: routes of the HTTP API without an authorizer (sign-in is the page's own business).
    const integration = new HttpLambdaIntegration('WebIntegration', props.fn);
    for (const page of webPages) {
      const route = new apigw.HttpRoute(this, `${page.method} ${page.path}`, {
        httpApi: props.httpApi,
        routeKey: apigw.HttpRouteKey.with(page.path, apigw.HttpMethod[page.method]),
        integration,
      });
      acknowledge(route, 'AwsSolutions-APIG4', `${page.method} ${page.path}: a web page anyone may open; the session cookie is checked by the web function with the same access rules as the API.`);
    }

    this.assets = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    acknowledge(this.assets, 'AwsSolutions-S1', 'Public build output (CSS and island scripts) read only by CloudFront; requests to it are seen in CloudFront and WAF metrics, and its content is rebuilt from the repository.');

    const apiDomain = `${props.httpApi.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    const apiOrigin = new origins.HttpOrigin(apiDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY, originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2] });

    const stripApiPrefix = new cloudfront.Function(this, 'StripApiPrefix', {
      comment: 'The API answers at its own paths; the web app calls it under /api/',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline("function handler(event) { var r = event.request; r.uri = r.uri.replace(/^\\/api(?=\\/)/, ''); return r; }"),
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'HSTS, CSP without unsafe-inline scripts, no framing',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        // Pages send their own (stricter) CSP; this one covers everything else.
        contentSecurityPolicy: { contentSecurityPolicy: defaultCsp, override: false },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'web-acl', sampledRequestsEnabled: true },
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.rateLimitPer5Min ?? 1000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'rate-per-ip', sampledRequestsEnabled: true },
        },
        {
          name: 'aws-common',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'aws-common', sampledRequestsEnabled: true },
        },
      ],
    });

    const dynamic = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Everything but Host: API Gateway routes by its own host name.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Association platform web app',
      defaultBehavior: dynamic,
      additionalBehaviors: {
        '/api/*': { ...dynamic, functionAssociations: [{ function: stripApiPrefix, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] },
        '/assets/*': {
          origin: origins.S3BucketOrigin.withOriginAccessControl(this.assets),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers,
        },
      },
      webAclId: this.webAcl.attrArn,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'Associations have members abroad; no country is excluded. WAF rate limits every IP.');
    acknowledge(this.distribution, 'AwsSolutions-CFR3', 'Requests are logged where they are answered (the HTTP API access log) and sampled by WAF; CloudFront standard logs would need an ACL-enabled bucket for little more.');
    acknowledge(this.distribution, 'AwsSolutions-CFR4', 'Until a custom domain and certificate are configured the distribution uses the default *.cloudfront.net certificate, which CloudFront serves with its own TLS policy; TLSv1.2_2021 applies once a certificate is set.');
  }
}

/** Where `npm run build:web` leaves the static files; the deploy uploads them to the assets bucket. */
export const webDist = path.join(fileURLToPath(new URL('../../', import.meta.url)), 'web', 'dist');
