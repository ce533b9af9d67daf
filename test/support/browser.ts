/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core (no browser download), a fresh profile per run, axe-core injected
 * into each page, and screenshots at phone and desktop sizes into .screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { api } from './http.js';

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), '.screenshots');

export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A fresh browser profile; throws with the install command when Chromium is absent. */
export async function openBrowser(opts: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium\n(or set CHROMIUM_PATH to a Chromium binary).`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'assoc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 390, height: 844 },
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    timezoneId: 'America/New_York',
    locale: 'en-US',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations. It is
 * evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    // Runs in the page: its globals, not Node's.
    const g = globalThis as any;
    const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => ({ target: n.target })) }));
  })) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Full-page screenshots at 390x844 and 1280x800, for a person to look at (not committed). */
export async function screenshots(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [w, h] of [[390, 844], [1280, 800]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${w}x${h}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

/** Fails the test with one line per serious or critical axe finding on the page. */
export async function expectAccessible(page: Page) {
  const found = await seriousViolations(page);
  expect(found.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** A suffix that keeps each test's addresses its own, across runs against one table. */
export const stamp = () => `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;

/** The web app's session cookie (the ID token), to call the API as the signed-in person. */
export const sessionToken = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === 'session')?.value;

/**
 * Signs in on the sign-in page as `who` (locally no password; the same email is the same
 * account), signing out first if someone else is, and lands on `path`. Returns the session token.
 */
export async function signInAs(page: Page, who: { email: string; name: string }, path: string): Promise<string> {
  await page.goto(`${api()}${path}`);
  if (await page.getByRole('button', { name: 'Sign out' }).count()) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api()}/`);
    await page.goto(`${api()}${path}`);
  }
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Name').fill(who.name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${path.split('#')[0]}`);
  return (await sessionToken(page.context()))!;
}
