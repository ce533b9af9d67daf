/**
 * The cost model's arithmetic, free of I/O: monthly usage and unit prices in, dollars out.
 * bench/cost.ts builds the usage from the measured operations (bench/out/dynamo-cost.json)
 * and a scenario; test/unit/cost-model.test.ts checks the sums.
 *
 * Free tiers are NOT subtracted from the per-association figures: they are per AWS account
 * (or organization) and the platform hosts many associations in one account, so an
 * association's marginal cost is the list price. docs/cost.md says where a free tier covers
 * a whole small deployment.
 */

/** Unit prices in US dollars, us-east-1, on-demand (sources and date in PRICES_SOURCE, docs/cost.md). */
export interface Prices {
  lambdaPerMillionRequests: number;
  /** arm64, first tier. */
  lambdaPerGbSecond: number;
  /** HTTP API, first 300 million a month. */
  apiPerMillionRequests: number;
  cloudfrontPerGb: number;
  cloudfrontPer10kHttpsRequests: number;
  sesPer1000Mails: number;
  dynamoPerMillionReadUnits: number;
  dynamoPerMillionWriteUnits: number;
  dynamoPerGbMonth: number;
  /** Streams read request units; reads by a Lambda event source mapping are free. */
  streamsPer100kReadUnits: number;
  s3PerGbMonth: number;
  s3Per1000Puts: number;
  s3Per1000Gets: number;
  secretsPerSecretMonth: number;
  secretsPer10kCalls: number;
  cognitoEssentialsPerMau: number;
  wafPerWebAclMonth: number;
  wafPerRuleMonth: number;
  wafPerMillionRequests: number;
  logsPerGbIngested: number;
}

/** One month of one association's usage (variable: grows with members and events). */
export interface Usage {
  lambdaRequests: number;
  lambdaGbSeconds: number;
  apiRequests: number;
  cloudfrontRequests: number;
  cloudfrontGb: number;
  sesMails: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  dynamoGb: number;
  /** Streams reads not made by Lambda (0 here: the consumer is a Lambda event source mapping). */
  streamReadUnits: number;
  s3Gb: number;
  s3Puts: number;
  s3Gets: number;
  secretsCalls: number;
  cognitoMau: number;
  logsGb: number;
}

/** The deployment's fixed monthly resources, shared by every association on it. */
export interface Fixed {
  webAcls: number;
  wafRules: number;
  secrets: number;
}

export interface Line {
  service: string;
  quantity: number;
  unit: string;
  dollars: number;
}

export interface Bill {
  lines: Line[];
  total: number;
}

const sum = (lines: Line[]) => lines.reduce((t, l) => t + l.dollars, 0);
const line = (service: string, quantity: number, unit: string, unitPrice: number, per: number): Line => ({ service, quantity, unit, dollars: (quantity / per) * unitPrice });

/** The variable monthly bill of one association's usage, at list prices (no free tier). */
export function variableCost(u: Usage, p: Prices): Bill {
  const lines = [
    line('Lambda requests', u.lambdaRequests, 'requests', p.lambdaPerMillionRequests, 1e6),
    line('Lambda compute (arm64)', u.lambdaGbSeconds, 'GB-s', p.lambdaPerGbSecond, 1),
    line('API Gateway HTTP API', u.apiRequests, 'requests', p.apiPerMillionRequests, 1e6),
    line('CloudFront requests (HTTPS)', u.cloudfrontRequests, 'requests', p.cloudfrontPer10kHttpsRequests, 1e4),
    line('CloudFront data out', u.cloudfrontGb, 'GB', p.cloudfrontPerGb, 1),
    line('WAF requests', u.cloudfrontRequests, 'requests', p.wafPerMillionRequests, 1e6),
    line('SES mail', u.sesMails, 'mails', p.sesPer1000Mails, 1e3),
    line('DynamoDB reads (on-demand)', u.dynamoReadUnits, 'RRU', p.dynamoPerMillionReadUnits, 1e6),
    line('DynamoDB writes (on-demand)', u.dynamoWriteUnits, 'WRU', p.dynamoPerMillionWriteUnits, 1e6),
    line('DynamoDB storage', u.dynamoGb, 'GB-month', p.dynamoPerGbMonth, 1),
    line('DynamoDB Streams reads', u.streamReadUnits, 'read units', p.streamsPer100kReadUnits, 1e5),
    line('S3 export storage', u.s3Gb, 'GB-month', p.s3PerGbMonth, 1),
    line('S3 PUT (exports)', u.s3Puts, 'requests', p.s3Per1000Puts, 1e3),
    line('S3 GET (downloads)', u.s3Gets, 'requests', p.s3Per1000Gets, 1e3),
    line('Secrets Manager calls', u.secretsCalls, 'calls', p.secretsPer10kCalls, 1e4),
    line('Cognito Essentials', u.cognitoMau, 'MAU', p.cognitoEssentialsPerMau, 1),
    line('CloudWatch Logs ingestion', u.logsGb, 'GB', p.logsPerGbIngested, 1),
  ];
  return { lines, total: sum(lines) };
}

/** What the deployment pays every month whatever its traffic (per deployment, not per association). */
export function fixedCost(f: Fixed, p: Prices): Bill {
  const lines = [
    line('WAF web ACL', f.webAcls, 'web ACLs', p.wafPerWebAclMonth, 1),
    line('WAF rules', f.wafRules, 'rules', p.wafPerRuleMonth, 1),
    line('Secrets Manager secrets', f.secrets, 'secrets', p.secretsPerSecretMonth, 1),
  ];
  return { lines, total: sum(lines) };
}

/** Cognito as billed: the first `freeMau` monthly active users of the account are free. */
export const cognitoBilled = (mau: number, freeMau: number, perMau: number) => Math.max(0, mau - freeMau) * perMau;
