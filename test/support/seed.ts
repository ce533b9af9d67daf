/** `npm run seed` (scripts/seed.ts) against the test stack, as a developer runs it; its SEED_JSON output read back. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api } from './http.js';

export interface SeedPerson {
  email: string;
  name: string;
}

export interface SeedOut {
  associationId: string;
  slug: string;
  events: Record<'mixer' | 'past' | 'workshop' | 'online' | 'membersOnly', string>;
  /** The past breakfast; `unmetPair` were matched there, both came, and neither has given feedback. */
  pastEvent: { attendees: number; checkedIn: number; rated: number; unmetPair: SeedPerson[] };
  urls: { url: string; what: string; as: string | null }[];
  emails: Record<'owner' | 'admin' | 'organizer' | 'member', string>;
  statuses: Record<string, number>;
}

export function runSeed(): Promise<{ out: SeedOut; stdout: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'assoc-seed-')), 'seed.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], { env: { ...process.env, API_URL: api(), SEED_JSON: file, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => (code === 0 ? resolve({ out: JSON.parse(readFileSync(file, 'utf8')), stdout: output }) : reject(new Error(`seed exited ${code}:\n${output}`))));
  });
}
