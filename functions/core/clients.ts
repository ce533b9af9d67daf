/**
 * AWS clients, made once per container at cold start and handed to stores and services,
 * so tests can pass mocked or local ones.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { config } from './config.js';
import { installConflictRetry } from './data/conflict-retry.js';

// Local endpoints accept any credentials; in AWS the Lambda role's are used.
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const localSockets = Number(process.env.LOCAL_DYNAMODB_SOCKETS) || 50;

export const dynamo = new DynamoDBClient({
  region: config.region,
  ...(config.dynamodbEndpoint
    ? {
        endpoint: config.dynamodbEndpoint,
        credentials: localCredentials,
        // Locally one process runs every concurrent invocation (in AWS each has its own
        // container and connections). The SDK's default 50 sockets queue a burst; a pool as
        // large as the burst (LOCAL_DYNAMODB_SOCKETS=2000) lets DynamoDB Local take it all at
        // once, which today turns the RSVP surge into 503s (docs/events.md, "The hot item").
        requestHandler: { httpAgent: new HttpAgent({ keepAlive: true, maxSockets: localSockets }), httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: localSockets }) },
      }
    : {}),
});

// Local mode raises the transaction conflicts DynamoDB Local never raises (data/conflicts.ts):
// the local stack installs that layer on this client, so no deployed bundle carries it.
// Everywhere: a write cancelled only by a concurrent one on its item is sent again (data/conflict-retry.ts).
installConflictRetry(dynamo);

export const documentClient = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true },
});

// Pure (its options from a pure call too: esbuild keeps an object spread as a possible side
// effect), so a function that sends no mail leaves the SES client out of its bundle.
const sesOptions = () => ({
  region: config.region,
  ...(config.sesEndpoint ? { endpoint: config.sesEndpoint, credentials: localCredentials } : {}),
});
export const ses = /* @__PURE__ */ new SESv2Client(/* @__PURE__ */ sesOptions());
