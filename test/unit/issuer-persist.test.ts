/**
 * `npm start --persist` keeps the local issuer's signing key next to the DynamoDB data, so a
 * session cookie (an ID token) from before a restart still verifies after it; without a key
 * file every start has a new key and old tokens are refused.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIssuer } from '../../scripts/local/issuer.js';

const ISS = 'http://127.0.0.1:3000/dev';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'assoc-issuer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('local issuer key persistence', () => {
  it('a token signed before a restart verifies after it, on the same persist folder', async () => {
    const keyFile = join(dir, 'issuer-key.json');
    const first = await createIssuer(ISS, { keyFile });
    const token = await first.sign('ada@example.test', 'Ada');
    // The private key is readable by its owner only.
    expect(statSync(keyFile).mode & 0o077).toBe(0);
    const second = await createIssuer(ISS, { keyFile });
    await expect(second.verify(token)).resolves.toEqual(expect.objectContaining({ email: 'ada@example.test', iss: ISS }));
    expect(second.jwks).toEqual(first.jwks);
  });

  it('without a key file a restart has a new key and refuses the old token', async () => {
    const token = await (await createIssuer(ISS)).sign('ada@example.test', 'Ada');
    await expect((await createIssuer(ISS)).verify(token)).resolves.toBeNull();
  });

  it('another folder has its own key', async () => {
    const token = await (await createIssuer(ISS, { keyFile: join(dir, 'a', 'issuer-key.json') })).sign('ada@example.test');
    await expect((await createIssuer(ISS, { keyFile: join(dir, 'b', 'issuer-key.json') })).verify(token)).resolves.toBeNull();
  });
});
