/**
 * AWS clients, made once per container at cold start and handed to stores and services,
 * so tests can pass mocked or local ones.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { config } from './config.js';

// Local endpoints accept any credentials; in AWS the Lambda role's are used.
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const dynamo = new DynamoDBClient({
  region: config.region,
  ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint, credentials: localCredentials } : {}),
});

export const documentClient = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true },
});

export const ses = new SESv2Client({
  region: config.region,
  ...(config.sesEndpoint ? { endpoint: config.sesEndpoint, credentials: localCredentials } : {}),
});
