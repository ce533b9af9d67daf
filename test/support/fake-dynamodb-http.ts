/**
 * A stand-in for DynamoDB's HTTP endpoint, for a real DynamoDBClient in unit tests: each
 * request's answer (status, error type, body) comes from `answer`, so tests can hold
 * requests in flight or plan failures, and count exactly what was sent.
 */
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type Answer = { status: number; body?: Record<string, unknown>; type?: string };

export function fakeDynamoHttp(answer: (target: string) => Promise<Answer>) {
  const seen: string[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
    async handle(req: { headers: Record<string, string> }) {
      const target = req.headers['x-amz-target'] ?? '';
      seen.push(target);
      const a = await answer(target);
      const body = a.type ? { __type: `com.amazonaws.dynamodb.v20120810#${a.type}`, message: 'refused', ...a.body } : (a.body ?? {});
      return { response: { statusCode: a.status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(JSON.stringify(body))]) } };
    },
  };
  return { handler, seen };
}

/** A client on that endpoint; maxAttempts 1 unless a test wants the SDK's own retries. */
export const clientOn = (handler: ReturnType<typeof fakeDynamoHttp>['handler'], maxAttempts = 1) =>
  new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler: handler as never, maxAttempts });
