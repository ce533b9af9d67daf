/**
 * `redocly lint` with the recommended rules on the document /openapi.json serves: any error
 * fails. Offline: the CLI's telemetry and update check are off, and nothing is fetched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApi } from '../../functions/core/openapi.js';

describe('redocly lint (recommended)', () => {
  it('reports no error on /openapi.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(buildOpenApi()));
      const run = spawnSync('node_modules/.bin/redocly', ['lint', '--extends=recommended', '--format=json', file], {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        timeout: 60_000,
      });
      const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
      const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      expect(errors).toEqual([]);
      expect(report.totals.errors).toBe(0);
      expect(run.status).toBe(0);
      // Known and accepted: /vocabulary and /openapi.json take no input, so they have no 4xx to list.
      expect(report.problems.filter((p) => p.severity === 'warn').map((p) => p.ruleId)).toEqual(['operation-4xx-response', 'operation-4xx-response']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
