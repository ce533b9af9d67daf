/**
 * Reads on request paths select their items by key: a FilterExpression over a partition
 * would cost more as the event or association grows.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createStore } from '../../functions/core/data/store.js';
import { FakeTable } from '../support/fake-table.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);
const store = createStore(doc, 'test-table');

beforeEach(() => {
  ddb.reset();
  new FakeTable().attach(ddb);
});

describe("an attendee's matches", () => {
  it('are read from two index partitions that hold only their matches, with no filter', async () => {
    await store.matchesOfAttendee('ev1', 'u1');

    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(2);
    for (const q of queries) {
      expect(q.FilterExpression).toBeUndefined();
      expect(Object.values(q.ExpressionAttributeValues ?? {})).toEqual(['EVENT#ev1#MATCHES#u1']);
    }
    expect(queries.map((q) => q.IndexName).sort()).toEqual(['gsi1', 'gsi2']);
  });
});
