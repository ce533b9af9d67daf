import { call, signIn } from '../support/http.js';

describe('local stack', () => {
  it('creates an association for a signed-in user', async () => {
    const owner = await signIn('owner');
    const res = await call('POST', '/associations', { token: owner.token, body: { name: 'Smoke', slug: `smoke-${Date.now()}`, currency: 'usd', timezone: 'UTC' } });
    expect(res.status).toBe(201);
    expect(res.body.associationId).toEqual(expect.any(String));
  });
});
