/**
 * The daily job's retry of unsent mail, over the local stack: the job sends nothing itself (it
 * bundles no SES client); it marks the mail for retry (a `retry` count) and the stream consumer
 * sends it on that change, once, while other changes of the outbox item send nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import * as keys from '../../functions/core/data/keys.js';
import { call } from '../support/http.js';
import { expectStatus } from '../support/fixtures.js';
import { mailsTo, sleep, waitFor } from '../support/dues.js';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_URL, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
const TableName = process.env.LOCAL_TABLE!;

it('a mail left unsent is sent by the stream consumer once the daily job marks it, and only once', async () => {
  const now = new Date();
  const mailId = ulid(now.getTime());
  const to = `retry-${mailId.toLowerCase()}@example.test`;
  const Key = keys.outbox(mailId);
  // Written first as another entity, so there is no outbox INSERT to send it (its handling could
  // come after the next write, whenever the stream consumer reads it); then turned into unsent
  // outbox mail, as a failed send leaves it: a change without a retry mark, which sends nothing.
  await db.send(
    new PutCommand({
      TableName,
      Item: { ...Key, ...keys.outboxPending(now.toISOString(), mailId), entity: 'outbox_draft', mailId, kind: 'receipt', to, fromName: 'Retry Club', subject: 'Receipt: retried', text: 'Thank you', html: '<p>Thank you</p>', status: 'held', attempts: 1, createdAt: now.toISOString() },
    }),
  );
  await db.send(
    new UpdateCommand({ TableName, Key, UpdateExpression: 'SET #status = :pending, entity = :outbox', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':pending': 'pending', ':outbox': 'outbox' } }),
  );
  await sleep(1500);
  expect(await mailsTo(to)).toEqual([]);

  const job = expectStatus(await call('POST', '/dev/jobs/daily', { body: { time: now.toISOString() } }), 200, 'daily job');
  expect(job.body.mail.marked).toBeGreaterThanOrEqual(1);

  const [mail] = await waitFor('the retried mail', () => mailsTo(to), (m) => m.length > 0);
  expect(mail!.subject).toBe('Receipt: retried');
  const stored = await waitFor('the mail marked sent', async () => (await db.send(new GetCommand({ TableName, Key }))).Item!, (i) => i.status === 'sent');
  expect(stored).toMatchObject({ status: 'sent', retry: 1, attempts: 2 });
  expect(stored.gsi2pk).toBeUndefined();

  // The consumer's own claim and finish went through the stream too: nothing more was sent.
  await sleep(1500);
  expect(await mailsTo(to)).toHaveLength(1);
});
