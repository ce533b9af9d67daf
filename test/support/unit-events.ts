/**
 * What the events services' unit tests share: a store over a document client that
 * aws-sdk-client-mock intercepts, and the events dependencies around it (mail, a scheduler
 * that records, links to test hosts). Nothing here reaches AWS.
 */
import { jest } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createStore } from '../../functions/core/data/store.js';
import type { SchedulingDeps } from '../../functions/core/services/events.js';
import type { Mailer } from '../../functions/core/services/outbox.js';

export const TABLE = process.env.TABLE_NAME!;

/** A store whose document client a `mockClient(DynamoDBDocumentClient)` in the test intercepts. */
export const mockedStore = () =>
  createStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), { marshallOptions: { removeUndefinedValues: true } }), TABLE);

/** Every part a function may hand the events services, and the mailer the outbox sends with. */
export function unitEventsDeps(store = mockedStore()): SchedulingDeps & { mailer: Mailer } {
  return {
    store,
    mailer: { ses: new SESv2Client({ region: 'us-east-1' }), fromAddress: 'events@example.test' },
    scheduler: { upsert: jest.fn(async () => undefined), remove: jest.fn(async () => undefined) },
    appUrl: 'https://app.example.test',
    apiUrl: 'https://api.example.test',
  };
}
