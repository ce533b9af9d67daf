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
} as const;
