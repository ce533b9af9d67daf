import type { App } from 'aws-cdk-lib';

/**
 * Per-deployment settings from CDK context (`-c key=value`, cdk.json or cdk.context.json).
 * Only the stage also reads an env var (STAGE): the functions' own variables (MAIL_FROM,
 * CORS_ORIGINS, APP_URL, ...) are deliberately not read here, so a local-mode shell cannot
 * leak into a deploy.
 */
export interface Settings {
  /** Suffix of the stack name, so several copies (dev, prod) can live in one account. */
  stage: string;
  /** Sender address the functions use for mail (MAIL_FROM); its SES identity is what they may send as. */
  mailFrom: string;
  /** The domain part of mailFrom, the other SES identity the functions may send as. */
  mailFromDomain: string;
  /** Origins allowed by CORS, for both API Gateway preflight and the functions (CORS_ORIGINS); the app's origin by default, never '*'. */
  corsOrigins: string[];
  /** Optional operator address subscribed to the alarm topic. */
  alarmEmail?: string;
  /** Steady-state requests per second and burst for every route of the API stage. */
  throttleRate: number;
  throttleBurst: number;
  /** The web app's address, without a trailing slash, for links in mail and Stripe return URLs (APP_URL). */
  appUrl: string;
  /** Percent of each dues payment kept as a Stripe Connect application fee; 0 = none (PLATFORM_FEE_PERCENT). */
  platformFeePercent: number;
  /** Emails per second the functions allow themselves, at most the account's SES send rate (SES_MAX_SEND_RATE). */
  sesMaxSendRate: number;
}

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : String(value).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

// A bare address (no display name): the outbox adds the association's name itself.
const emailAddress = /^[^\s@<>"(),;:\\[\]]+@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})$/i;

export function readSettings(app: App): Settings {
  const ctx = (key: string): unknown => app.node.tryGetContext(key);
  const stage = String(ctx('stage') ?? process.env.STAGE ?? 'dev');
  if (!/^[a-z][a-z0-9-]{0,20}$/.test(stage)) {
    throw new Error(`stage "${stage}" must be 1-21 lowercase letters, digits or dashes, starting with a letter`);
  }
  const alarmEmail = ctx('alarmEmail');
  const number = (key: string, fallback: number) => {
    const raw = ctx(key) ?? fallback;
    const value = typeof raw === 'number' ? raw : String(raw).trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${key} must be a number, got "${String(raw)}"`);
    return value;
  };
  const positive = (key: string, fallback: number) => {
    const value = number(key, fallback);
    if (!(value > 0)) throw new Error(`${key} must be a positive number`);
    return value;
  };

  const mailFrom = String(ctx('mailFrom') ?? 'no-reply@example.com').trim();
  const mailMatch = emailAddress.exec(mailFrom);
  if (!mailMatch) throw new Error(`mailFrom "${mailFrom}" must be a bare email address such as no-reply@example.org`);

  const appUrlRaw = String(ctx('appUrl') ?? 'https://app.example.com').trim();
  let appUrl: URL;
  try {
    appUrl = new URL(appUrlRaw);
  } catch {
    throw new Error(`appUrl "${appUrlRaw}" must be an absolute URL such as https://app.example.org`);
  }
  // Stripe refuses http return URLs in live mode; localhost is the only exception worth allowing.
  const local = appUrl.hostname === 'localhost' || appUrl.hostname === '127.0.0.1';
  if (!(appUrl.protocol === 'https:' || (local && appUrl.protocol === 'http:')) || appUrl.search || appUrl.hash) {
    throw new Error(`appUrl "${appUrlRaw}" must be an https:// URL without query or fragment`);
  }

  // Only the web app (and any origin named on purpose) may call the API from a browser: never '*'.
  const corsOrigins = list(ctx('corsOrigins') ?? appUrl.origin);
  for (const origin of corsOrigins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (origin === '*' || !parsed || parsed.origin !== origin) {
      throw new Error(`corsOrigins "${origin}" must be an origin such as https://app.example.org (scheme and host, no path), never *`);
    }
  }

  const platformFeePercent = number('platformFeePercent', 0);
  // Stripe takes an application fee percent between 0 and 100 with at most two decimals.
  if (platformFeePercent < 0 || platformFeePercent >= 100 || Math.abs(Math.round(platformFeePercent * 100) - platformFeePercent * 100) > 1e-9) {
    throw new Error('platformFeePercent must be at least 0 and below 100, with at most two decimals');
  }

  const sesMaxSendRate = positive('sesMaxSendRate', 10);

  return {
    stage,
    mailFrom,
    mailFromDomain: mailMatch[1]!.toLowerCase(),
    corsOrigins,
    alarmEmail: alarmEmail ? String(alarmEmail) : undefined,
    throttleRate: positive('throttleRate', 50),
    throttleBurst: positive('throttleBurst', 100),
    appUrl: appUrl.href.replace(/\/$/, ''),
    platformFeePercent,
    sesMaxSendRate,
  };
}
