/**
 * `npm start`: the whole platform on this machine. DynamoDB Local keeps data in memory;
 * `npm start -- --persist` (or PERSIST=1) keeps it under .data/dynamodb.
 * Ports: PORT (API, default 3000), DYNAMODB_PORT (8000), SES_PORT (8005), STRIPE_PORT (12111); 0 picks a free one.
 * With READY_FILE set, the URLs are also written there as JSON once everything answers.
 */
import { writeFileSync } from 'node:fs';
import { JavaMissingError, startLocalStack } from './local/stack.js';

const args = new Set(process.argv.slice(2));
const persist = args.has('--persist') || process.env.PERSIST === '1';
const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));

async function main() {
  const stack = await startLocalStack({
    port: num(process.env.PORT, 3000),
    dynamoPort: num(process.env.DYNAMODB_PORT, 8000),
    sesPort: num(process.env.SES_PORT, 8005),
    stripePort: num(process.env.STRIPE_PORT, 12111),
    dailyJobEveryMs: num(process.env.DAILY_JOB_EVERY_MS, 60 * 60 * 1000),
    persistDir: persist ? '.data/dynamodb' : undefined,
    log: (l) => console.log(l),
  });
  const u = stack.urls;
  console.log(`
Association platform is running (local mode${persist ? ', data kept in .data/dynamodb' : ', data in memory'})
  Web app        ${u.web}/   (open this)
  API            ${u.api}   (also under ${u.api}/api/)
  OpenAPI        ${u.openapi}
  Sign in        POST ${u.devToken}  {"email":"you@example.com","name":"You"}
  Sent emails    ${u.devEmails}<address>   (JSON)
  Mail viewer    ${u.mailViewer}
  Stripe         ${u.stripe}   (local stand-in: checkout, onboarding, renewals, refunds)
  Daily job      POST ${u.api}/dev/jobs/daily  {"time":"<ISO date>"} (also runs every DAILY_JOB_EVERY_MS)
  DynamoDB Local ${u.dynamodb}   (table ${stack.tableName})
Press Ctrl-C to stop.`);
  if (process.env.READY_FILE) writeFileSync(process.env.READY_FILE, JSON.stringify({ ...u, tableName: stack.tableName, dynamoPid: stack.dynamoPid }));

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err instanceof JavaMissingError ? err.message : err);
  process.exit(1);
});
