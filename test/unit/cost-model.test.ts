import { cognitoBilled, fixedCost, variableCost, type Prices, type Usage } from '../../bench/cost-model.js';
import { PRICES } from '../../bench/prices.js';

const zero: Usage = {
  lambdaRequests: 0,
  lambdaGbSeconds: 0,
  apiRequests: 0,
  cloudfrontRequests: 0,
  cloudfrontGb: 0,
  sesMails: 0,
  dynamoReadUnits: 0,
  dynamoWriteUnits: 0,
  dynamoGb: 0,
  streamReadUnits: 0,
  s3Gb: 0,
  s3Puts: 0,
  s3Gets: 0,
  secretsCalls: 0,
  cognitoMau: 0,
  logsGb: 0,
};
const dollars = (bill: { lines: { service: string; dollars: number }[] }, service: string) => bill.lines.find((l) => l.service === service)!.dollars;

describe('cost model arithmetic', () => {
  it('costs nothing without usage', () => {
    expect(variableCost(zero, PRICES).total).toBe(0);
  });

  it('prices each unit at its published rate and its billing quantum', () => {
    const bill = variableCost(
      { ...zero, dynamoReadUnits: 2_000_000, dynamoWriteUnits: 1_000_000, lambdaRequests: 1_000_000, lambdaGbSeconds: 100_000, apiRequests: 3_000_000, sesMails: 5_000, cloudfrontRequests: 20_000, cognitoMau: 100 },
      PRICES,
    );
    expect(dollars(bill, 'DynamoDB reads (on-demand)')).toBeCloseTo(2 * 0.125, 10);
    expect(dollars(bill, 'DynamoDB writes (on-demand)')).toBeCloseTo(0.625, 10);
    expect(dollars(bill, 'Lambda requests')).toBeCloseTo(0.2, 10);
    expect(dollars(bill, 'Lambda compute (arm64)')).toBeCloseTo(100_000 * 0.0000133334, 10);
    expect(dollars(bill, 'API Gateway HTTP API')).toBeCloseTo(3, 10);
    expect(dollars(bill, 'SES mail')).toBeCloseTo(0.5, 10);
    expect(dollars(bill, 'CloudFront requests (HTTPS)')).toBeCloseTo(0.02, 10);
    expect(dollars(bill, 'WAF requests')).toBeCloseTo(0.02 * 0.6, 10);
    expect(dollars(bill, 'Cognito Essentials')).toBeCloseTo(1.5, 10);
  });

  it('adds the lines up to the total', () => {
    const prices = Object.fromEntries(Object.keys(PRICES).map((k) => [k, 1])) as unknown as Prices;
    const usage = Object.fromEntries(Object.keys(zero).map((k) => [k, 1_000_000])) as unknown as Usage;
    const bill = variableCost(usage, prices);
    expect(bill.total).toBeCloseTo(bill.lines.reduce((t, l) => t + l.dollars, 0), 10);
    // every usage field is billed somewhere (CloudFront requests twice: CloudFront and WAF)
    expect(bill.lines).toHaveLength(Object.keys(zero).length + 1);
  });

  it('prices the fixed platform resources per deployment', () => {
    const bill = fixedCost({ webAcls: 1, wafRules: 2, secrets: 3 }, PRICES);
    expect(bill.total).toBeCloseTo(5 + 2 * 1 + 3 * 0.4, 10);
  });

  it('bills Cognito only above the free monthly active users', () => {
    expect(cognitoBilled(9_000, 10_000, 0.015)).toBe(0);
    expect(cognitoBilled(12_000, 10_000, 0.015)).toBeCloseTo(30, 10);
  });
});
