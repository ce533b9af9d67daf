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

/** `<name>_ARN` read from Secrets Manager (AWS), else the plain variable `<name>` (local mode and tests). */
export async function secretFromEnv(name: string): Promise<string> {
  const arn = process.env[`${name}_ARN`];
  return arn ? readSecretString(arn) : required(name);
}
