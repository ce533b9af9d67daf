/**
 * Starts the local stack once for all integration tests, exactly as `npm start` does
 * (a child process on free ports), and hands its URLs to the tests through env vars.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'assoc-it-'));
  const readyFile = join(dir, 'ready.json');
  // The link keys of the stack, shared with the tests (they sign expired or rotated links themselves)
  // under a name of their own: the unit project's workers inherit this process's environment too.
  process.env.IT_LINK_SECRETS ??= JSON.stringify({ kid: 'it1', key: randomBytes(24).toString('hex') });
  // Tests never reach real Stripe: drop any Stripe keys of the developer's shell so the stand-in is used.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRIPE_')));
  // The local conflict layer is on, as for `npm start`: concurrent writes on one item conflict as
  // they do in AWS (docs/data-model.md, "Contention"). `DYNAMODB_CONFLICTS=off npx jest ...` turns it off.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...env, LINK_SECRETS: process.env.IT_LINK_SECRETS, PORT: '0', DYNAMODB_PORT: '0', SES_PORT: '0', STRIPE_PORT: '0', DAILY_JOB_EVERY_MS: '0', READY_FILE: readyFile, NODE_OPTIONS: '', DYNAMODB_CONFLICTS: process.env.DYNAMODB_CONFLICTS ?? 'on' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // IT_STACK_LOG=<file> keeps the stack's own log (its handlers' errors) for a failing run.
  const log = process.env.IT_STACK_LOG ? createWriteStream(process.env.IT_STACK_LOG) : undefined;
  child.stdout.on('data', (d) => (output.length < 1e6 && (output += d), log?.write(d)));
  child.stderr.on('data', (d) => (output.length < 1e6 && (output += d), log?.write(d)));
  (globalThis as any).__LOCAL_STACK__ = child;

  const deadline = Date.now() + 90_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null) throw new Error(`The local stack exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The local stack did not start within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const urls = JSON.parse(readFileSync(readyFile, 'utf8'));
  (globalThis as any).__LOCAL_DYNAMO_PID__ = urls.dynamoPid;
  process.env.API_URL = urls.api;
  process.env.SES_URL = urls.mailViewer;
  process.env.DYNAMODB_URL = urls.dynamodb;
  process.env.LOCAL_TABLE = urls.tableName;
  process.env.STRIPE_URL = urls.stripe;
}
