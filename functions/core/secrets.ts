/**
 * Secrets Manager reads, for keys that must not sit in a Lambda's configuration. The client
 * is made on each read only where a secret ARN is set (AWS), so local runs never make one.
 * A static import: esbuild keeps the client and this one command, and drops both from the
 * functions that read no secret (a dynamic import() would bundle every command of the client).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config, required } from './config.js';

export async function readSecretString(arn: string): Promise<string> {
  const res = await new SecretsManagerClient({ region: config.region }).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!res.SecretString) throw new Error(`The secret ${arn} has no string value`);
  return res.SecretString;
}

/** The secret named by the ARN variable (AWS), else the plain variable (local mode and tests). Both names spelled out, so bundles show what they read. */
export async function secretFromEnv(plainName: string, arnName: string): Promise<string> {
  const arn = process.env[arnName];
  return arn ? readSecretString(arn) : required(plainName);
}
