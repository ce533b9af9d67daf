import type { Prices } from './cost-model.js';

/**
 * Published on-demand list prices, us-east-1, as found on 2026-12-02 in the stored copies of
 * AWS pricing pages and pricing write-ups (no internet here; docs/cost.md cites each source).
 * "assumed" marks a price not found in those copies: the value is the last one known.
 */
export const PRICES_DATE = '2026-12-02';
export const PRICES: Prices = {
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  apiPerMillionRequests: 1.0,
  cloudfrontPerGb: 0.085,
  cloudfrontPer10kHttpsRequests: 0.01,
  sesPer1000Mails: 0.1,
  dynamoPerMillionReadUnits: 0.125,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerGbMonth: 0.25, // assumed
  streamsPer100kReadUnits: 0.02, // assumed
  s3PerGbMonth: 0.023,
  s3Per1000Puts: 0.005,
  s3Per1000Gets: 0.0004,
  secretsPerSecretMonth: 0.4,
  secretsPer10kCalls: 0.05,
  cognitoEssentialsPerMau: 0.015, // assumed (the 10,000 free MAU were found, the rate was not)
  wafPerWebAclMonth: 5,
  wafPerRuleMonth: 1,
  wafPerMillionRequests: 0.6,
  logsPerGbIngested: 0.5,
};
/** Free allowances that matter for a small deployment (per account, not per association). */
export const FREE = { cognitoMau: 10_000, lambdaRequests: 1_000_000, lambdaGbSeconds: 400_000, cloudfrontRequests: 10_000_000, cloudfrontGb: 1024, dynamoGb: 25 };
