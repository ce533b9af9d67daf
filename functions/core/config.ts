/**
 * Every environment variable the functions read, read once at load time.
 * A missing required variable throws here, naming it, instead of failing mid-request.
 * The README's Configuration section lists the same variables. Variables only some
 * functions need (TABLE_NAME, CURSOR_SECRET) are required by the module that uses them.
 */
const env = process.env;

/** Reads a variable a module cannot work without; call it at the module's load time. */
export function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing required environment variable ${name}`);
  return value;
}

export const config = {
  region: env.AWS_REGION ?? 'us-east-1',
  /** Local mode only: DynamoDB Local and the local SES server. Unset in AWS. */
  dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
  sesEndpoint: env.SES_ENDPOINT,
  mailFrom: env.MAIL_FROM ?? 'no-reply@example.com',
  corsOrigins: (env.CORS_ORIGINS ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
  maxBodyBytes: Number(env.MAX_BODY_BYTES ?? 65_536),
  /** The web app's address, for links in emails and Stripe return URLs. */
  appUrl: (env.APP_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, ''),
  /** Percent of each dues payment kept by the platform as a Connect application fee; 0 = none. */
  platformFeePercent: Number(env.PLATFORM_FEE_PERCENT ?? 0),
  /** Emails per second the sender allows itself (SES account limit). */
  sesMaxSendRate: Number(env.SES_MAX_SEND_RATE ?? 10),
  /** SES configuration set whose event destination reports bounces and complaints (AWS only). */
  sesConfigurationSet: env.SES_CONFIGURATION_SET,
} as const;

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

/**
 * Stripe settings, for the functions that talk to Stripe. In AWS the keys live in
 * Secrets Manager (STRIPE_SECRET_ARN, a JSON {"secretKey","webhookSecret"}) and are read
 * once at cold start; locally they come straight from STRIPE_SECRET_KEY and
 * STRIPE_WEBHOOK_SECRET. STRIPE_API_HOST/PORT/PROTOCOL point the SDK at the local stand-in.
 */
export async function stripeConfig(fetchSecret: (arn: string) => Promise<string>): Promise<StripeSettings> {
  const endpoint = {
    host: env.STRIPE_API_HOST,
    port: env.STRIPE_API_PORT ? Number(env.STRIPE_API_PORT) : undefined,
    protocol: env.STRIPE_API_PROTOCOL as 'http' | 'https' | undefined,
  };
  if (env.STRIPE_SECRET_ARN) {
    const parsed = JSON.parse(await fetchSecret(env.STRIPE_SECRET_ARN)) as Partial<StripeSettings>;
    if (!parsed.secretKey || !parsed.webhookSecret) {
      throw new Error('The secret named by STRIPE_SECRET_ARN must hold {"secretKey","webhookSecret"}');
    }
    return { secretKey: parsed.secretKey, webhookSecret: parsed.webhookSecret, ...endpoint };
  }
  return { secretKey: required('STRIPE_SECRET_KEY'), webhookSecret: required('STRIPE_WEBHOOK_SECRET'), ...endpoint };
}
