import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { injectLambdaContext, Logger } from '../../../functions/core/http/logger.js';

/** What the logger wrote, one parsed JSON entry per line. */
function capture(run: () => void | Promise<void>) {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write);
  return Promise.resolve(run())
    .finally(() => spy.mockRestore())
    .then(() => lines.map((l) => JSON.parse(l) as Record<string, any>));
}

const context = { functionName: 'events', memoryLimitInMB: '1024', invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:events', awsRequestId: 'req-1' } as Context;

describe('light structured logger', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  it('writes one JSON line with level, message, timestamp, service and the entry keys', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env.POWERTOOLS_DEV = 'false';
    process.env.POWERTOOLS_SERVICE_NAME = 'events';
    const [entry, ...rest] = await capture(() => new Logger().info('request', { routeKey: 'GET /x', status: 200 }));
    expect(rest).toEqual([]);
    expect(entry).toEqual({ level: 'INFO', message: 'request', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), service: 'events', routeKey: 'GET /x', status: 200 });
  });

  it('leaves out entries below POWERTOOLS_LOG_LEVEL, and everything when SILENT', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    const log = new Logger();
    expect((await capture(() => (log.info('no'), log.warn('yes'), log.error('yes too')))).map((e) => e.level)).toEqual(['WARN', 'ERROR']);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    expect(await capture(() => log.error('no'))).toEqual([]);
  });

  it('writes an Error with its name, message and stack (JSON.stringify alone drops them)', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    const err = new TypeError('boom', { cause: new Error('root') });
    const [entry] = await capture(() => new Logger().error('unhandled error', err));
    expect(entry!.error).toEqual({ name: 'TypeError', message: 'boom', stack: expect.stringContaining('boom'), cause: { name: 'Error', message: 'root', stack: expect.any(String) } });
  });

  it('the middleware adds the request id and cold start, and drops the previous invocation keys', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    const log = new Logger();
    const mw = injectLambdaContext(log, { resetKeys: true });
    const first = await capture(async () => {
      await mw.before!({ context, event: {}, response: undefined, error: undefined, internal: {} } as any);
      log.info('one');
    });
    const second = await capture(async () => {
      await mw.before!({ context: { ...context, awsRequestId: 'req-2' }, event: {}, response: undefined, error: undefined, internal: {} } as any);
      log.info('two');
    });
    expect(first[0]).toMatchObject({ function_request_id: 'req-1', cold_start: true, function_name: 'events', function_memory_size: 1024 });
    expect(second[0]).toMatchObject({ function_request_id: 'req-2', cold_start: false });
  });
});
