/** The caller's profile, the offers/seeks vocabulary and the published OpenAPI description. */
import { routeKey, routes } from '../../functions/core/api.js';
import { routeResponses } from '../../functions/core/responses/routes.js';
import { call, signIn } from '../support/http.js';
import { errorPaths, expectProblem } from '../support/fixtures.js';

describe('GET/PUT /me/profile', () => {
  it('reads an empty profile, named from the token, before any PUT', async () => {
    const u = await signIn('fresh', 'Fresh Face');
    const res = await call('GET', '/me/profile', { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        userId: u.userId,
        name: 'Fresh Face',
        skills: [],
        interests: [],
        offers: [],
        seeks: [],
        matchOptIn: false,
        directoryVisible: false,
      }),
    );
    for (const k of ['headline', 'company', 'jobTitle', 'industry']) expect(res.body[k] ?? null).toBeNull();
  });

  it('round-trips a full profile', async () => {
    const u = await signIn('full');
    const profile = {
      name: 'Ada Lovelace',
      headline: 'Analyst of engines',
      company: 'Analytical Ltd',
      jobTitle: 'Programmer',
      industry: 'computing',
      skills: ['math', 'poetry'],
      interests: ['looms', 'music'],
      offers: ['mentoring', 'advice'],
      seeks: ['investment', 'cofounder'],
      matchOptIn: true,
      directoryVisible: true,
    };
    const put = await call('PUT', '/me/profile', { token: u.token, body: profile });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(expect.objectContaining({ ...profile, userId: u.userId, updatedAt: expect.any(String) }));
    const got = await call('GET', '/me/profile', { token: u.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put.body);
    // Another user does not see it.
    const other = await signIn('other');
    expect((await call('GET', '/me/profile', { token: other.token })).body.name).toBe('other');
  });

  it('replaces the whole profile on PUT and normalises tags', async () => {
    const u = await signIn('replace');
    await call('PUT', '/me/profile', { token: u.token, body: { name: 'First', headline: 'Old headline', offers: ['hiring'], directoryVisible: true } });
    const res = await call('PUT', '/me/profile', { token: u.token, body: { name: '  Second  ', skills: ['TypeScript', 'typescript', ' Go '], industry: 'FinTech' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ name: 'Second', skills: ['typescript', 'go'], industry: 'fintech', offers: [], directoryVisible: false }));
    expect(res.body.headline ?? null).toBeNull();
    expect((await call('GET', '/me/profile', { token: u.token })).body).toEqual(res.body);
  });

  it.each([
    ['offers.0', { offers: ['world-domination'] }],
    ['offers.1', { offers: ['mentoring', 'Mentoring'] }],
    ['seeks.0', { seeks: ['money'] }],
    ['seeks', { seeks: 'mentoring' }],
    ['name', { name: '' }],
    ['matchOptIn', { matchOptIn: 'yes' }],
    ['userId', { userId: 'someone-else' }],
    ['updatedAt', { updatedAt: '2020-01-01T00:00:00Z' }],
  ])('refuses a bad profile with 400 naming %s', async (path, patch) => {
    const u = await signIn('bad');
    const res = await call('PUT', '/me/profile', { token: u.token, body: { name: 'Bad', ...patch } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain(path);
    // Nothing was stored.
    expect((await call('GET', '/me/profile', { token: u.token })).body.name).toBe('bad');
  });

  it('needs a token (401)', async () => {
    expectProblem(await call('GET', '/me/profile'), 401);
    expectProblem(await call('PUT', '/me/profile', { body: { name: 'x' } }), 401);
  });
});

describe('GET /vocabulary', () => {
  it('lists the intents with labels, anonymously, and PUT accepts every one of them', async () => {
    const res = await call('GET', '/vocabulary');
    expect(res.status).toBe(200);
    const values: string[] = res.body.intents.map((i: any) => i.value);
    for (const v of ['mentoring', 'hiring', 'job', 'investment', 'cofounder', 'customers', 'partnership', 'advice', 'speaking']) expect(values).toContain(v);
    expect(new Set(values).size).toBe(values.length);
    for (const i of res.body.intents) expect(i).toEqual({ value: expect.stringMatching(/^[a-z]+$/), label: expect.any(String) });

    const u = await signIn('vocab');
    const put = await call('PUT', '/me/profile', { token: u.token, body: { name: 'All', offers: values, seeks: values } });
    expect(put.status).toBe(200);
    expect(put.body.offers).toEqual(values);
  });
});

describe('GET /openapi.json', () => {
  let doc: any;
  beforeAll(async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });

  /** A JSON pointer ("#/a/b") read from `root`. */
  const pointer = (root: any, ref: string) =>
    ref
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((node, key) => (node === undefined ? undefined : node[key]), root);

  /** Every `$ref` in a subtree. */
  const refsIn = (node: any, out: string[] = []): string[] => {
    if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) k === '$ref' && typeof v === 'string' ? out.push(v) : refsIn(v, out);
    return out;
  };

  /**
   * The schema behind a request body, following a local `$ref` from the document root, or
   * (leniently) from the schema's own `$defs`, to check its content whatever the layout.
   */
  const bodySchema = (path: string, method: string) => {
    const schema = doc.paths[path][method].requestBody.content['application/json'].schema;
    if (!schema.$ref) return schema;
    return pointer(doc, schema.$ref) ?? pointer(schema, schema.$ref);
  };

  it('is an OpenAPI 3.1 document with info and a bearer scheme', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
  });

  it('describes every catalog route, with its access, success status and security', () => {
    const described = Object.entries<any>(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(described.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    const operationIds: string[] = [];
    for (const r of routes) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      operationIds.push(op.operationId);
      expect(op['x-access']).toBe(r.access);
      expect(Object.keys(op.responses)).toContain(String(r.status ?? (routeResponses[routeKey(r)]?.response ? 200 : 204)));
      // Public routes say `security: []`; viewer routes take a token when there is one.
      const needsToken = op.security.length > 0 && !op.security.some((s: object) => Object.keys(s).length === 0);
      expect({ route: `${r.method} ${r.path}`, needsToken }).toEqual({ route: `${r.method} ${r.path}`, needsToken: r.access !== 'public' && r.access !== 'viewer' });
      // The Stripe webhook's body is read raw (its signature), and described too.
      expect({ route: `${r.method} ${r.path}`, hasBody: !!op.requestBody }).toEqual({ route: `${r.method} ${r.path}`, hasBody: !!r.body || r.path === '/webhooks/stripe' });
      // Every {param} of the path is a required path parameter.
      for (const name of r.path.match(/\{(\w+)\}/g)?.map((s) => s.slice(1, -1)) ?? []) {
        expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name, in: 'path', required: true })]));
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('publishes the request body schemas the server validates with', () => {
    const plan = bodySchema('/associations/{associationId}/plans', 'post');
    expect(plan).toEqual(expect.objectContaining({ type: 'object', additionalProperties: false }));
    expect([...plan.required].sort()).toEqual(['amount', 'interval', 'name']);
    expect(plan.properties.interval.enum).toEqual(['year', 'month', 'once']);
    expect(plan.properties.amount).toEqual(expect.objectContaining({ type: 'integer', minimum: 0 }));

    const assoc = bodySchema('/associations', 'post');
    expect(assoc.additionalProperties).toBe(false);
    expect([...assoc.required].sort()).toEqual(['currency', 'name', 'slug', 'timezone']);

    const profile = bodySchema('/me/profile', 'put');
    expect(profile.additionalProperties).toBe(false);
    expect(profile.required).toEqual(['name']);
    expect(profile.properties.offers.items.enum).toEqual(expect.arrayContaining(['mentoring', 'hiring']));

    const join = bodySchema('/associations/{associationId}/members', 'post');
    expect(join).toEqual(expect.objectContaining({ required: ['planId'], additionalProperties: false }));

    const members = doc.paths['/associations/{associationId}/members'].get.parameters.map((p: any) => `${p.in}:${p.name}`);
    expect(members).toEqual(expect.arrayContaining(['path:associationId', 'query:limit', 'query:cursor', 'query:status', 'query:planId', 'query:q']));
  });

  it('has every $ref resolvable from the document root, as OpenAPI tools resolve them', () => {
    // In OpenAPI 3.1 a "#/..." reference inside a Schema Object without its own $id is
    // resolved against the OpenAPI document, so "#/$defs/X" must exist at the top level.
    const unresolved = [...new Set(refsIn(doc))].filter((ref) => !ref.startsWith('#') || pointer(doc, ref) === undefined);
    expect(unresolved).toEqual([]);
  });
});
