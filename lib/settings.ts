import type { App } from 'aws-cdk-lib';

/**
 * Per-deployment settings from CDK context (`-c key=value`, cdk.json or cdk.context.json).
 * Only the stage also reads an env var (STAGE): the functions' own variables (MAIL_FROM,
 * CORS_ORIGINS) are deliberately not read here, so a local-mode shell cannot leak into a deploy.
 */
export interface Settings {
  /** Suffix of the stack name, so several copies (dev, prod) can live in one account. */
  stage: string;
  /** Sender address the functions use for mail (MAIL_FROM). */
  mailFrom: string;
  /** Origins allowed by CORS, for both API Gateway preflight and the functions (CORS_ORIGINS). */
  corsOrigins: string[];
  /** Optional operator address subscribed to the alarm topic. */
  alarmEmail?: string;
  /** Steady-state requests per second and burst for every route of the API stage. */
  throttleRate: number;
  throttleBurst: number;
}

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : String(value).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export function readSettings(app: App): Settings {
  const ctx = (key: string): unknown => app.node.tryGetContext(key);
  const stage = String(ctx('stage') ?? process.env.STAGE ?? 'dev');
  if (!/^[a-z][a-z0-9-]{0,20}$/.test(stage)) {
    throw new Error(`stage "${stage}" must be 1-21 lowercase letters, digits or dashes, starting with a letter`);
  }
  const alarmEmail = ctx('alarmEmail');
  const positive = (key: string, fallback: number) => {
    const value = Number(ctx(key) ?? fallback);
    if (!(value > 0)) throw new Error(`${key} must be a positive number`);
    return value;
  };
  return {
    stage,
    mailFrom: String(ctx('mailFrom') ?? 'no-reply@example.com'),
    corsOrigins: list(ctx('corsOrigins') ?? '*'),
    alarmEmail: alarmEmail ? String(alarmEmail) : undefined,
    throttleRate: positive('throttleRate', 50),
    throttleBurst: positive('throttleBurst', 100),
  };
}
