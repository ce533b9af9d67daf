/**
 * Every environment variable the functions read, read once at load time.
 * A missing required variable throws here, naming it, instead of failing mid-request.
 * The README's Configuration section lists the same variables.
 */
const env = process.env;

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing required environment variable ${name}`);
  return value;
}

export const config = {
  tableName: required('TABLE_NAME'),
  region: env.AWS_REGION ?? 'us-east-1',
  /** Local mode only: DynamoDB Local and the local SES server. Unset in AWS. */
  dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
  sesEndpoint: env.SES_ENDPOINT,
  mailFrom: env.MAIL_FROM ?? 'no-reply@example.com',
  /** HMAC key that makes list cursors tamper-evident. */
  cursorSecret: required('CURSOR_SECRET'),
  corsOrigins: (env.CORS_ORIGINS ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
  maxBodyBytes: Number(env.MAX_BODY_BYTES ?? 65_536),
} as const;
