/**
 * What a route answers on success (media types and schemas, from responses/routes.ts) and, in
 * local mode only, a check of every success answer against them: a handler whose body drifts
 * from its published schema answers 500 naming the fields, so the integration and browser tests
 * catch the drift. The router does not import this: scripts/local/stack.ts installs the check
 * (router.ts useResponseCheck) when RESPONSE_VALIDATION=1, so deployed handlers' bundles carry
 * neither the check nor the response schemas; in AWS only openapi.ts reads successBodies.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { RouteSpec } from '../routes/spec.js';
import { published, type PublishedRoute } from '../responses/routes.js';
import { ExportLink, Text } from '../responses/common.js';
import { HttpProblem } from '../errors.js';
import { logger } from './logger.js';

export interface SuccessBody {
  mediaType: string;
  schema: z.ZodMiniType;
}

const hasQueryField = (r: PublishedRoute, name: string) => !!r.query && name in (((r.query as z.ZodMiniObject).shape as object) ?? {});

/**
 * The bodies a route's success may carry. Exports give CSV, or JSON `ExportLink` with
 * ?format=url; the POSTs behind signed mail links answer an HTML page to a browser (Accept:
 * text/html) and JSON otherwise.
 */
export function successBodies(r: PublishedRoute): SuccessBody[] {
  if (r.produces) {
    const out: SuccessBody[] = [{ mediaType: r.produces, schema: r.response ?? Text }, ...(r.alsoProduces ?? []).map((mediaType) => ({ mediaType, schema: Text }))];
    if (r.produces === 'text/csv' && hasQueryField(r, 'format')) out.push({ mediaType: 'application/json', schema: ExportLink });
    return out;
  }
  if (!r.response) return [];
  const out: SuccessBody[] = [{ mediaType: 'application/json', schema: r.response }];
  if (r.method === 'POST' && hasQueryField(r, 'token')) out.push({ mediaType: 'text/html', schema: Text });
  return out;
}

/** The status of a success: the spec's, else 204 for routes without a body, else 200. */
export const successStatus = (r: PublishedRoute) => r.status ?? (r.response ? 200 : 204);

const drift = (spec: RouteSpec, detail: string, errors?: { path: string; message: string }[]) => {
  logger.error('response drift', { route: `${spec.method} ${spec.path}`, detail, errors });
  return new HttpProblem(500, 'Response Drift', `${spec.method} ${spec.path} answered outside its published schema: ${detail}`, errors);
};

/** Throws a 500 problem when a success answer is not what /openapi.json says (router.ts ResponseCheck). */
export function checkResponse(route: RouteSpec, res: APIGatewayProxyStructuredResultV2): void {
  const spec = published(route);
  const expectedStatus = successStatus(spec);
  const status = res.statusCode ?? 200;
  if (status >= 300) return;
  if (status === 202 && spec.accepted) {
    if (!res.headers?.Location) throw drift(spec, '202 without a Location header');
    const accepted = spec.accepted.safeParse(JSON.parse(String(res.body ?? 'null')));
    if (!accepted.success) throw drift(spec, accepted.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; '));
    return;
  }
  if (status !== expectedStatus) throw drift(spec, `status ${status}, but the catalog lists ${expectedStatus}`);
  const bodies = successBodies(spec);
  if (!bodies.length) {
    if (res.body) throw drift(spec, 'a body, but the route is listed without one');
    return;
  }
  const type = String(res.headers?.['Content-Type'] ?? res.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const body = bodies.find((b) => b.mediaType === type);
  if (!body) throw drift(spec, `Content-Type ${type || '(none)'}, but the route lists ${bodies.map((b) => b.mediaType).join(', ')}`);
  let value: unknown = res.body ?? '';
  if (type === 'application/json') {
    try {
      value = JSON.parse(String(res.body));
    } catch {
      throw drift(spec, 'a body that is not JSON');
    }
  }
  const result = body.schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.code === 'unrecognized_keys' ? `has unlisted fields ${i.keys.join(', ')}` : i.message }));
    throw drift(spec, errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);
  }
}
