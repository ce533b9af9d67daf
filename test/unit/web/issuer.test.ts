/** The local issuer keeps its signing key in a file when asked, so sessions survive `npm start --persist` restarts. */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIssuer } from '../../../scripts/local/issuer.js';

describe('local issuer key', () => {
  it('a token signed before a restart verifies after it when the key is kept', async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'issuer-')), 'key.json');
    const before = await createIssuer('http://127.0.0.1:1/dev', { keyFile });
    const token = await before.sign('ada@example.test', 'Ada');
    expect(statSync(keyFile).mode & 0o077).toBe(0);
    const after = await createIssuer('http://127.0.0.1:1/dev', { keyFile });
    expect(await after.verify(token)).toMatchObject({ email: 'ada@example.test', name: 'Ada' });
    expect(after.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('without a key file each start has a new key, and old tokens stop verifying', async () => {
    const token = await (await createIssuer('http://127.0.0.1:1/dev')).sign('ada@example.test');
    expect(await (await createIssuer('http://127.0.0.1:1/dev')).verify(token)).toBeNull();
  });
});
