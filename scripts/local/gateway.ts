/**
 * A local API Gateway (HTTP API, payload v2): matches the route catalog, checks the bearer
 * token as the JWT authorizer would, builds the same event and invokes the same Lambda
 * handlers in-process. Local-only routes (/dev/*) live here, never in a Lambda.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { assetEncoding } from './compress.js';
import { extname, join, normalize } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routes, routeKey, type FunctionName, type RouteSpec } from '../../functions/core/api.js';

type Handler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type WebHandler = (event: any) => Promise<APIGatewayProxyStructuredResultV2>;
export type DevRoute = (req: IncomingMessage, body: Buffer, url: URL) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

const MAX_BODY = 10 * 1024 * 1024; // API Gateway's own payload limit

interface Matcher {
  spec: RouteSpec;
  regex: RegExp;
  names: string[];
  literal: number;
}

function matchers(): Matcher[] {
  return routes
    .map((spec) => {
      const names: string[] = [];
      const pattern = spec.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'));
      return { spec, regex: new RegExp(`^${pattern}$`), names, literal: spec.path.split('/').filter((s) => !s.startsWith('{')).length };
    })
    // Like API Gateway, the most specific route wins: /members/export before /members/{userId}.
    .sort((a, b) => b.literal - a.literal);
}

const problem = (status: number, title: string, detail: string) => ({
  status,
  headers: { 'Content-Type': 'application/problem+json' },
  body: JSON.stringify({ type: `https://errors.assoc.dev/${status}`, title, status, detail }),
});

const isText = (type: string | undefined) => !type || /^(text\/|application\/(.+\+)?(json|xml|x-www-form-urlencoded))/i.test(type);

export interface GatewayOptions {
  handlers: Record<FunctionName, Handler>;
  verify: (token: string) => Promise<Record<string, unknown> | null>;
  dev: Record<string, DevRoute>;
  corsOrigin?: string;
  /** The web app's page function: answers every path the API and /dev do not (CloudFront's default behavior in AWS). */
  web?: WebHandler;
  /** Built static assets (web/dist), served under /assets/ as S3 behind CloudFront does. */
  staticDir?: string;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.map': 'application/json', '.ico': 'image/x-icon', '.woff2': 'font/woff2' };

export function createGateway(opts: GatewayOptions): Server {
  const table = matchers();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const send = (status: number, headers: Record<string, string | number | boolean | string[]>, body: string | Buffer) => {
      res.writeHead(status, { 'Access-Control-Allow-Origin': opts.corsOrigin ?? '*', ...headers });
      res.end(body);
    };
    // One origin, as CloudFront gives in AWS: the API under /api/, and (for scripts) where it always was.
    const underApi = url.pathname.startsWith('/api/');
    if (underApi) url.pathname = url.pathname.slice(4);

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) {
        const p = problem(413, 'Payload Too Large', 'The request body is too large.');
        return send(p.status, p.headers, p.body);
      }
      chunks.push(c as Buffer);
    }
    const body = Buffer.concat(chunks);

    if (method === 'OPTIONS') {
      // Preflight is answered by API Gateway's CORS configuration in AWS.
      return send(204, {
        'Access-Control-Allow-Methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        'Access-Control-Allow-Headers': 'authorization,content-type',
        'Access-Control-Max-Age': '600',
      }, '');
    }

    const dev = opts.dev[`${method} ${url.pathname}`] ?? (method === 'GET' && url.pathname.startsWith('/dev/files/') ? opts.dev['GET /dev/files/*'] : undefined);
    if (dev) {
      const r = await dev(req, body, url);
      const text = typeof r.body === 'string' || Buffer.isBuffer(r.body) ? (r.body as string | Buffer) : JSON.stringify(r.body);
      return send(r.status, { 'Content-Type': typeof r.body === 'string' ? 'text/html; charset=utf-8' : 'application/json', ...r.headers }, text);
    }

    const found = table.find((m) => m.spec.method === method && m.regex.test(url.pathname));
    if (!found && !underApi && opts.staticDir && method === 'GET' && url.pathname.startsWith('/assets/')) {
      const file = normalize(join(opts.staticDir, url.pathname));
      if (file.startsWith(normalize(opts.staticDir))) {
        const bytes = await readFile(file).catch(() => undefined);
        if (bytes) {
          const type = TYPES[extname(file)] ?? 'application/octet-stream';
          // Compressed as CloudFront's /assets/* behavior does (CachingOptimized: gzip and brotli).
          const enc = assetEncoding(file, type, bytes, String(req.headers['accept-encoding'] ?? ''));
          return send(200, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding', ...(enc ? { 'Content-Encoding': enc.encoding } : {}) }, enc?.body ?? bytes);
        }
      }
    }
    if (!found && !underApi && opts.web && (method === 'GET' || method === 'POST' || method === 'HEAD')) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      const text = isText(headers['content-type']);
      // The payload of a Lambda function URL (CloudFront's origin for the pages in AWS).
      const result = (await opts.web({
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        cookies: headers.cookie ? headers.cookie.split(/;\s*/) : undefined,
        body: body.length ? (text ? body.toString('utf8') : body.toString('base64')) : undefined,
        isBase64Encoded: body.length > 0 && !text,
        requestContext: { http: { method: method === 'HEAD' ? 'GET' : method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' }, requestId: randomUUID(), timeEpoch: Date.now() },
      })) as APIGatewayProxyStructuredResultV2;
      const out: Record<string, string | number | boolean | string[]> = { ...(result.headers ?? {}) };
      if (result.cookies?.length) out['Set-Cookie'] = result.cookies;
      return send(result.statusCode ?? 200, out, method === 'HEAD' ? '' : (result.body ?? ''));
    }
    if (!found) {
      const p = problem(404, 'Not Found', 'No such route.');
      return send(p.status, p.headers, p.body);
    }
    const values = found.regex.exec(url.pathname)!.slice(1);
    let pathParameters: Record<string, string>;
    try {
      pathParameters = Object.fromEntries(found.names.map((n, i) => [n, decodeURIComponent(values[i]!)]));
    } catch {
      const p = problem(400, 'Bad Request', 'The path is not valid.');
      return send(p.status, p.headers, p.body);
    }

    let claims: Record<string, unknown> | undefined;
    // Like API Gateway: routes without an authorizer pass the token on untouched ('viewer' checks it itself).
    if (found.spec.access !== 'public' && found.spec.access !== 'viewer') {
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer (.+)$/i.exec(auth)?.[1];
      claims = token ? (await opts.verify(token)) ?? undefined : undefined;
      if (!claims) {
        const p = problem(401, 'Unauthorized', 'A valid bearer token is required.');
        return send(p.status, p.headers, p.body);
      }
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const text = isText(headers['content-type']);
    const requestId = randomUUID();
    const now = new Date();
    // sourceIp as API Gateway sets it (the TCP peer, IPv4-mapped addresses unwrapped): per-ip rate limits key on it.
    const event = {
      version: '2.0',
      routeKey: routeKey(found.spec),
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
      body: body.length ? (text ? body.toString('utf8') : body.toString('base64')) : undefined,
      isBase64Encoded: body.length > 0 && !text,
      requestContext: {
        accountId: 'local',
        apiId: 'local',
        domainName: headers.host ?? '127.0.0.1',
        domainPrefix: 'local',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''), userAgent: headers['user-agent'] ?? '' },
        requestId,
        routeKey: routeKey(found.spec),
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
    };
    const context = {
      awsRequestId: requestId,
      functionName: found.spec.fn,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${found.spec.fn}`,
      memoryLimitInMB: '1024',
      logGroupName: `/aws/lambda/${found.spec.fn}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => 10_000,
      done: () => {},
      fail: () => {},
      succeed: () => {},
    } as Context;

    const result = await opts.handlers[found.spec.fn](event, context);
    const out = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : result.body ?? '';
    const resHeaders: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
    return send(result.statusCode ?? 200, resHeaders, out);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A crash here is a bug in the runner or an unhandled Lambda error: AWS answers 500 too.
      console.error('[gateway]', err);
      if (!res.headersSent) {
        const p = problem(500, 'Internal Server Error', 'Something went wrong on our side.');
        res.writeHead(p.status, p.headers);
        res.end(p.body);
      }
    });
  });
  // Clients keep connections open between bursts (as they do with API Gateway, whose idle
  // timeout is far longer than Node's 5 s): closing idle ones races a request sent on them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
