/**
 * `npm run seed` against the local stack: it finishes (twice: a second run makes a second
 * association cleanly), and every URL it prints answers 200 for the user it names (or signed
 * out), with members in several statuses and a refund in the ledger.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, call } from '../support/http.js';

interface SeedOut {
  associationId: string;
  slug: string;
  urls: { url: string; what: string; as: string | null }[];
  emails: Record<'owner' | 'admin' | 'organizer' | 'member', string>;
  statuses: Record<string, number>;
}

function runSeed(): Promise<{ out: SeedOut; stdout: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'assoc-seed-')), 'seed.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], { env: { ...process.env, API_URL: api(), SEED_JSON: file, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => (code === 0 ? resolve({ out: JSON.parse(readFileSync(file, 'utf8')), stdout: output }) : reject(new Error(`seed exited ${code}:\n${output}`))));
  });
}

const tokenFor = async (email: string) => {
  const res = await call('POST', '/dev/token', { body: { email } });
  if (res.status !== 200) throw new Error(`dev token: ${res.status} ${res.text}`);
  return res.body.token as string;
};

async function expectUrlsAnswer(out: SeedOut) {
  const answers: string[] = [];
  for (const u of out.urls) {
    const headers: Record<string, string> = u.as ? { cookie: `session=${await tokenFor(u.as)}` } : {};
    const res = await fetch(u.url, { headers, redirect: 'manual' });
    answers.push(`${res.status} ${u.url} as ${u.as ?? 'signed out'}`);
  }
  expect(answers).toEqual(out.urls.map((u) => `200 ${u.url} as ${u.as ?? 'signed out'}`));
}

describe('npm run seed', () => {
  it('leaves every page worth looking at, and a second run makes a second set', async () => {
    const first = await runSeed();
    expect(first.out.urls.length).toBeGreaterThanOrEqual(8);
    // Everything printed is on this stack, and printed.
    for (const u of first.out.urls) {
      expect(u.url.startsWith(api())).toBe(true);
      expect(first.stdout).toContain(u.url);
    }
    for (const e of Object.values(first.out.emails)) expect(first.stdout).toContain(e);
    await expectUrlsAnswer(first.out);
    // Members in several statuses and a refund for the dashboard's filters and ledger.
    expect(Object.keys(first.out.statuses)).toEqual(expect.arrayContaining(['active', 'pending', 'past_due', 'cancelled']));
    const owner = await tokenFor(first.out.emails.owner);
    const ledger = await call('GET', `/associations/${first.out.associationId}/payments?limit=100`, { token: owner });
    expect(ledger.status).toBe(200);
    expect(ledger.body.items.map((p: { type: string }) => p.type)).toEqual(expect.arrayContaining(['refund']));
    // The organizer of the printed event page is who the seed says.
    const organizerPage = first.out.urls.find((u) => u.url.includes('/manage/events/'))!;
    expect(organizerPage.as).toBe(first.out.emails.organizer);

    const second = await runSeed();
    expect(second.out.slug).not.toBe(first.out.slug);
    await expectUrlsAnswer(second.out);
  }, 300_000);
});
