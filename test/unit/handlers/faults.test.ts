/**
 * Failures of DynamoDB in the middle of a request: throttling, cancelled transactions,
 * lost races and unexpected errors. Each must end as a problem+json response with CORS
 * headers, and no write may follow a failed one.
 */
// Settings first: the members function reads them when it loads.
import '../../support/stripe-env.js';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { handler as associations } from '../../../functions/associations/handler.js';
import { handler as members } from '../../../functions/members/handler.js';
import { handler as profiles } from '../../../functions/profiles/handler.js';
import { apiEvent, invoke, lambdaContext, type Claims, type Reply } from '../../support/lambda.js';
import { makeAssociation, makeMember, makePlan } from '../../support/factories.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import { planItem } from '../../../functions/core/data/plans.js';
import { FakeTable } from '../../support/fake-table.js';

const ddb = mockClient(DynamoDBDocumentClient);

const owner: Claims = { sub: 'user-owner', email: 'owner@example.test', name: 'Olive Owner' };
const joiner: Claims = { sub: 'user-new', email: 'new@example.test', name: 'Nina New' };
const association = makeAssociation({ associationId: 'assocA' });
const ownerMember = makeMember({ userId: owner.sub, role: 'owner', planId: '', currentPeriodEnd: null, email: owner.email });
const target = makeMember({ userId: 'user-target', role: 'member', status: 'active', version: 7 });
const paidPlan = makePlan({ planId: 'planYearly', amount: 5000, interval: 'year' });
const freePlan = makePlan({ planId: 'planFree', amount: 0, interval: 'once' });
const validCreate = { name: 'Engineers of Lyon', slug: 'engineers-lyon', currency: 'eur', timezone: 'Europe/Paris' };

const throttled = () => new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} });
const overProvisioned = () => new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** The SDK commands sent, by class name, in order. */
const sent = () => ddb.calls().map((c) => (c.args[0] as object).constructor.name);
const writes = () => sent().filter((n) => ['TransactWriteCommand', 'PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand'].includes(n));

function expectProblem(res: Reply, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['Content-Type']).toBe('application/problem+json');
  expect(res.headers['Access-Control-Allow-Origin']).toBe('*');
  expect(res.body).toMatchObject({ type: `https://errors.assoc.dev/${status}`, status });
}

function expectRetryLater(res: Reply) {
  expectProblem(res, 503);
  expect(res.headers['Retry-After']).toBe('1');
  // Browsers only show Retry-After to scripts when CORS exposes it.
  expect(res.headers['Access-Control-Expose-Headers']).toContain('Retry-After');
  expect(res.body.detail).toBe('The service is busy; retry shortly.');
}

const createAssociation = () => invoke(associations, apiEvent('POST /associations', { claims: owner, body: validCreate }));
const patchMember = (body: unknown) =>
  invoke(
    members,
    apiEvent('PATCH /associations/{associationId}/members/{userId}', {
      claims: owner,
      pathParameters: { associationId: 'assocA', userId: target.userId },
      body,
    }),
  );
const joinPlan = () =>
  invoke(
    members,
    apiEvent('POST /associations/{associationId}/members', { claims: joiner, pathParameters: { associationId: 'assocA' }, body: { planId: 'planFree' } }),
  );

beforeEach(() => {
  ddb.reset();
  new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(target), planItem(paidPlan), planItem(freePlan)]).attach(ddb);
});

describe('throttling', () => {
  it.each([
    ['ThrottlingException', throttled],
    ['ProvisionedThroughputExceededException', overProvisioned],
  ])('answers %s on the first read with 503 and Retry-After, and writes nothing', async (_, error) => {
    ddb.on(GetCommand).rejects(error());
    const res = await invoke(
      associations,
      apiEvent('PATCH /associations/{associationId}', { claims: owner, pathParameters: { associationId: 'assocA' }, body: { name: 'New name' } }),
    );
    expectRetryLater(res);
    expect(sent()).toEqual(['GetCommand']);
    expect(writes()).toEqual([]);
  });

  it.each([
    ['ThrottlingException', throttled],
    ['ProvisionedThroughputExceededException', overProvisioned],
  ])('answers %s on the create transaction with 503, after exactly one write attempt', async (_, error) => {
    ddb.on(TransactWriteCommand).rejects(error());
    const res = await createAssociation();
    expectRetryLater(res);
    expect(sent()).toEqual(['GetCommand', 'TransactWriteCommand']);
  });

  it('stops a two-step member change at the first failed transaction', async () => {
    // Role change first, then the payment: when the role change is throttled, the payment
    // must not be recorded on its own.
    ddb.on(TransactWriteCommand).rejects(throttled());
    const res = await patchMember({ role: 'organizer', offlinePayment: { amount: 5000, paidAt: new Date().toISOString() } });
    expectRetryLater(res);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(writes()).toEqual(['TransactWriteCommand']);
    expect(sent().at(-1)).toBe('TransactWriteCommand');
    const [only] = ddb.commandCalls(TransactWriteCommand);
    const keysWritten = only!.args[0].input.TransactItems!.map((i) => (i.Update?.Key ?? i.Put?.Item)!['sk']);
    expect(keysWritten.some((sk) => String(sk).startsWith('PAYMENT#'))).toBe(false);
  });

  it('answers a throttled read in the middle of a list with 503', async () => {
    ddb.on(QueryCommand).rejects(throttled());
    const res = await invoke(members, apiEvent('GET /associations/{associationId}/members', { claims: owner, pathParameters: { associationId: 'assocA' } }));
    expectRetryLater(res);
  });

  it('answers a throttled profile write with 503 before any membership is touched', async () => {
    ddb.on(PutCommand).rejects(throttled());
    const res = await invoke(profiles, apiEvent('PUT /me/profile', { claims: owner, body: { name: 'Olive' } }));
    expectRetryLater(res);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });
});

describe('cancelled transactions', () => {
  it('answers a taken slug with 409 naming slug', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None', 'None'));
    const res = await createAssociation();
    expectProblem(res, 409);
    expect(res.body.errors).toEqual([{ path: 'slug', message: 'is already used by another association' }]);
    expect(writes()).toEqual(['TransactWriteCommand']);
  });

  it.each([
    [['TransactionConflict', 'None', 'None', 'None']],
    [['None', 'TransactionConflict', 'None', 'None']],
    [['ThrottlingError', 'None', 'None', 'None']],
  ])('answers a transaction cancelled for %j with 503, not as a taken slug', async (codes) => {
    ddb.on(TransactWriteCommand).rejects(cancelled(...codes));
    const res = await createAssociation();
    expectRetryLater(res);
    expect(res.body.errors).toBeUndefined();
    expect(writes()).toEqual(['TransactWriteCommand']);
  });

  it('answers a lost race on join with 409', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    const res = await joinPlan();
    expectProblem(res, 409);
    expect(res.body.detail).toBe('You are already a member of this association.');
    expect(writes()).toEqual(['TransactWriteCommand']);
  });

  it('answers a plain ConditionalCheckFailedException on join with 409', async () => {
    ddb.on(TransactWriteCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expectProblem(await joinPlan(), 409);
  });

  it('answers a join by someone already active with 409 without writing', async () => {
    ddb.reset();
    new FakeTable([associationItem(association), planItem(freePlan), memberItem(makeMember({ userId: joiner.sub, status: 'active' }))]).attach(ddb);
    expectProblem(await joinPlan(), 409);
    expect(writes()).toEqual([]);
  });

  it('answers a version clash on an offline payment with 409 and does not retry', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
    const res = await patchMember({ offlinePayment: { amount: 5000, paidAt: new Date(Date.now() - 3_600_000).toISOString() } });
    expectProblem(res, 409);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });
});

describe('unexpected errors', () => {
  const secret = 'AccessDenied for arn:aws:dynamodb:us-east-1:123456789012:table/prod-table password=hunter2';

  it('answers with a bare 500 that leaks neither message nor stack', async () => {
    ddb.on(GetCommand).rejects(new Error(secret));
    const res = await invoke(associations, apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'assocA' } }));
    expectProblem(res, 500);
    expect(res.body).toEqual({
      type: 'https://errors.assoc.dev/500',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Something went wrong on our side.',
    });
    for (const leak of ['hunter2', 'arn:aws', 'AccessDenied', 'stack', 'Error:', '.ts:', 'at ']) expect(res.text).not.toContain(leak);
  });

  it('answers a non-Error throw with the same bare 500', async () => {
    ddb.on(TransactWriteCommand).callsFake(() => {
      throw { secret };
    });
    const res = await createAssociation();
    expectProblem(res, 500);
    expect(res.text).not.toContain('hunter2');
  });

  it('answers an unknown error during a write with 500 and no further writes', async () => {
    ddb.on(TransactWriteCommand).rejects(new TypeError(secret));
    const res = await patchMember({ role: 'organizer', offlinePayment: { amount: 5000, paidAt: new Date().toISOString() } });
    expectProblem(res, 500);
    expect(res.text).not.toContain('hunter2');
    expect(writes()).toEqual(['TransactWriteCommand']);
  });
});

describe('middleware order', () => {
  // onError runs in reverse registration order: the problem mapper must answer before
  // CORS runs, or browsers see error responses without Access-Control-Allow-Origin.
  const cases: [string, () => Promise<Reply>, number][] = [
    ['unknown route', () => invoke(associations, apiEvent('GET /nowhere')), 404],
    ['missing token', () => invoke(associations, apiEvent('POST /associations', { body: validCreate })), 401],
    ['bad JSON', () => invoke(associations, apiEvent('POST /associations', { claims: owner, rawBody: '{' })), 400],
    ['too large', () => invoke(associations, apiEvent('POST /associations', { claims: owner, rawBody: 'x'.repeat(70_000) })), 413],
    [
      'forbidden',
      () => invoke(associations, apiEvent('PATCH /associations/{associationId}', { claims: joiner, pathParameters: { associationId: 'assocA' }, body: { name: 'x' } })),
      403,
    ],
    ['no such association', () => invoke(associations, apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'nope' } })), 404],
    [
      'conflict',
      () => {
        ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None', 'None'));
        return createAssociation();
      },
      409,
    ],
    [
      'throttled',
      () => {
        ddb.on(GetCommand).rejects(throttled());
        return invoke(associations, apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'assocA' } }));
      },
      503,
    ],
    [
      'unexpected',
      () => {
        ddb.on(GetCommand).rejects(new Error('boom'));
        return invoke(associations, apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'assocA' } }));
      },
      500,
    ],
  ];

  it.each(cases)('answers %s as problem+json with CORS headers', async (_, call, status) => {
    const res = await call();
    expectProblem(res, status);
    expect(res.headers['Access-Control-Expose-Headers']).toBe('Retry-After,Location');
    expect(res.headers['Access-Control-Max-Age']).toBe('600');
  });

  it('adds the same CORS headers to a success', async () => {
    const res = await invoke(associations, apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'assocA' } }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['Content-Type']).toBe('application/json');
    expect(res.headers['Access-Control-Allow-Origin']).toBe('*');
  });

  it('never lets an error escape the handler', async () => {
    ddb.on(GetCommand).rejects(new Error('boom'));
    const event = apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'assocA' } });
    await expect(associations(event, lambdaContext)).resolves.toMatchObject({ statusCode: 500 });
  });
});
