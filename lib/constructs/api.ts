import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes, routeKey, type Access, type FunctionName } from '../../functions/core/api.js';
import { acknowledge } from '../nag.js';

export interface ApiProps {
  functions: Record<FunctionName, lambda.IFunction>;
  /** JWT issuer and accepted audience (the web app's client id). */
  jwtIssuer: string;
  jwtAudience: string[];
  corsOrigins: string[];
  throttleRate: number;
  throttleBurst: number;
}

/**
 * Why a route has no authorizer, or undefined if it has the JWT authorizer. A JWT authorizer
 * cannot be optional, so 'viewer' routes (a token only shows more) have none and the function
 * verifies a token itself, against the same issuer and audience (JWT_ISSUER, JWT_AUDIENCE).
 */
export function withoutAuthorizer(access: Access): string | undefined {
  if (access === 'public') return 'public by design in the route catalog';
  if (access === 'viewer') return 'token optional: verified in the function, with the same issuer and audience as the JWT authorizer, and who may see the event is checked there';
  return undefined;
}

/** The HTTP API: one route per catalog entry, JWT-protected unless the catalog says public or viewer. */
export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Association platform API',
      createDefaultStage: false,
      // API Gateway answers preflight itself and sets CORS headers on every response,
      // so keep these in step with the functions' own CORS middleware.
      corsPreflight: {
        allowOrigins: props.corsOrigins,
        allowMethods: [
          apigw.CorsHttpMethod.GET,
          apigw.CorsHttpMethod.POST,
          apigw.CorsHttpMethod.PUT,
          apigw.CorsHttpMethod.PATCH,
          apigw.CorsHttpMethod.DELETE,
          apigw.CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type'],
        exposeHeaders: ['retry-after'],
        maxAge: Duration.minutes(10),
      },
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRate, burstLimit: props.throttleBurst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        // Who called what and how it went; never bodies, tokens or query strings.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            error: '$context.error.message',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Issuer and audience pinned to the pool and its web client; API Gateway accepts RSA
    // signatures only (Cognito's RS256). It cannot check token_use: the router refuses
    // anything but an ID token (functions/core/http/tokens.ts, isIdToken).
    const jwt = new HttpJwtAuthorizer('CognitoJwt', props.jwtIssuer, { jwtAudience: props.jwtAudience, identitySource: ['$request.header.Authorization'] });
    const none = new apigw.HttpNoneAuthorizer();
    // One integration per function, shared by its routes.
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (fn: FunctionName) => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn}Integration`, props.functions[fn]);
        integrations.set(fn, integration);
      }
      return integration;
    };

    for (const spec of routes) {
      const open = withoutAuthorizer(spec.access);
      const route = new apigw.HttpRoute(this, routeKey(spec), {
        httpApi: this.httpApi,
        routeKey: apigw.HttpRouteKey.with(spec.path, apigw.HttpMethod[spec.method]),
        integration: integrationFor(spec.fn),
        authorizer: open ? none : jwt,
      });
      if (open) acknowledge(route, 'AwsSolutions-APIG4', `${routeKey(spec)}: ${open} (functions/core/api.ts): ${spec.summary}.`);
    }
  }

  get url(): string {
    return this.stage.url;
  }
}
