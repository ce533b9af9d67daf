/**
 * Import first in unit tests that load a function building the events dependencies at
 * cold start (events, streams): schedules kept in the table (mocked), export files in a
 * temporary folder, links pointing at a test API. Nothing here reaches AWS.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.SCHEDULER ??= 'local';
if (!process.env.EXPORTS_DIR) {
  // One folder for every run: unit tests never write an export file into it.
  process.env.EXPORTS_DIR = join(tmpdir(), 'assoc-unit-exports');
  mkdirSync(process.env.EXPORTS_DIR, { recursive: true });
}
process.env.API_URL ??= 'https://api.example.test';
process.env.APP_URL ??= 'https://app.example.test';
export {};
