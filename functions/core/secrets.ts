/**
 * Secrets Manager reads, for keys that must not sit in a Lambda's configuration. The client
 * is imported on first use only, so functions (and local runs) without a secret ARN never load it.
 */
import { config, required } from './config.js';

export async function readSecretString(arn: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const res = await new SecretsManagerClient({ region: config.region }).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!res.SecretString) throw new Error(`The secret ${arn} has no string value`);
  return res.SecretString;
}

/** The secret named by the ARN variable (AWS), else the plain variable (local mode and tests). Both names spelled out, so bundles show what they read. */
export async function secretFromEnv(plainName: string, arnName: string): Promise<string> {
  const arn = process.env[arnName];
  return arn ? readSecretString(arn) : required(plainName);
}
