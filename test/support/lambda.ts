/**
 * Lambda test fixtures: one fake context, and an API Gateway HTTP API (v2) event builder
 * with the JWT authorizer's claims, as API Gateway hands them to the functions.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** The one fake Lambda context every handler test uses. */
export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'assoc-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:assoc-test',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/assoc-test',
  logStreamName: '2026/01/01/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export type Claims = { sub: string; email: string; name?: string };

export interface EventOptions {
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  /** Serialised as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  /** The signed-in caller; omit (or null) for an anonymous request. */
  claims?: Claims | null;
}

/**
 * An API Gateway v2 event for `routeKey` ("POST /associations/{associationId}/plans"):
 * the raw path is the route with its path parameters filled in.
 *
 *   apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'a1' } })
 */
export function apiEvent(routeKey: string, opts: EventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method, path] = routeKey.split(' ') as [string, string];
  const rawPath = path.replace(/\{(\w+)\}/g, (_, name: string) => opts.pathParameters?.[name] ?? `{${name}}`);
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = {
    host: 'api.example.test',
    origin: 'https://app.example.test',
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(opts.claims ? { authorization: 'Bearer test.jwt.token' } : {}),
    ...opts.headers,
  };
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(opts.queryStringParameters ?? {}).toString(),
    headers,
    queryStringParameters: opts.queryStringParameters,
    pathParameters: opts.pathParameters,
    body,
    isBase64Encoded: opts.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api-test',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'jest' },
      requestId: 'req-test',
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        // As for a Cognito ID token, the only kind the API accepts.
        jwt: { claims: opts.claims ? { token_use: 'id', ...opts.claims } : {}, scopes: [] },
      },
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export type LambdaHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  /** Parsed JSON for JSON and problem+json responses, else the raw text. */
  body: any;
  text: string;
}

/** Invokes a handler with the shared context and parses the response. */
export async function invoke(handler: LambdaHandler, event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<Reply> {
  const res = await handler(event, lambdaContext);
  const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k, String(v)]));
  const text = typeof res.body === 'string' ? res.body : '';
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  return { statusCode: res.statusCode ?? 200, headers, text, body: type.includes('json') && text ? JSON.parse(text) : text };
}
