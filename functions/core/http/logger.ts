/**
 * One structured logger per container: a JSON line per entry on stdout, in the shape of
 * Powertools' logger (level, message, timestamp, service, function_request_id, cold_start,
 * then the entry's own keys), which it replaces. Powertools and its commons were about
 * 25 KB of every bundle for the three calls we make (bench/bundles.ts).
 *
 * Settings read as Powertools read them: POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL
 * (DEBUG, INFO, WARN, ERROR, SILENT; INFO when unset) and POWERTOOLS_DEV (pretty-printed).
 * Written with process.stdout.write, not console: with Lambda's JSON log format the runtime
 * wraps console output in its own record, and CloudWatch queries read these keys at the top.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';

const levels = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, SILENT: 28 } as const;
type Level = keyof typeof levels;

/** An Error as JSON: JSON.stringify drops name, message and stack (they are not own enumerable). */
const errorJson = (e: Error): Record<string, unknown> => ({
  name: e.name,
  message: e.message,
  stack: e.stack,
  ...(e.cause instanceof Error ? { cause: errorJson(e.cause) } : {}),
});

export class Logger {
  private context: Record<string, unknown> = {};
  private coldStart = true;

  private threshold(): number {
    const name = (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase();
    return levels[name as Level] ?? levels.INFO;
  }

  private write(level: Exclude<Level, 'SILENT'>, message: string, extra?: Record<string, unknown> | Error): void {
    if (levels[level] < this.threshold()) return;
    const own = extra instanceof Error ? { error: errorJson(extra) } : extra;
    const entry = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined',
      ...this.context,
      ...own,
    };
    const line = JSON.stringify(entry, (_key, value) => (value instanceof Error ? errorJson(value) : value), process.env.POWERTOOLS_DEV === 'true' ? 2 : undefined);
    process.stdout.write(line + '\n');
  }

  debug(message: string, extra?: Record<string, unknown> | Error): void {
    this.write('DEBUG', message, extra);
  }
  info(message: string, extra?: Record<string, unknown> | Error): void {
    this.write('INFO', message, extra);
  }
  warn(message: string, extra?: Record<string, unknown> | Error): void {
    this.write('WARN', message, extra);
  }
  error(message: string, extra?: Record<string, unknown> | Error): void {
    this.write('ERROR', message, extra);
  }

  /** The invocation's keys on every entry until the next one (what Powertools' injectLambdaContext adds). */
  setLambdaContext(context: Context | undefined): void {
    this.context = context
      ? {
          cold_start: this.coldStart,
          function_name: context.functionName,
          function_memory_size: Number(context.memoryLimitInMB) || undefined,
          function_arn: context.invokedFunctionArn,
          function_request_id: context.awsRequestId,
        }
      : {};
    this.coldStart = false;
  }
}

export const logger = new Logger();

/**
 * Middy middleware: each invocation's entries carry its request id, and nothing of the
 * previous invocation (Powertools' `resetKeys: true`, which is the only mode we use).
 */
export function injectLambdaContext(target: Logger, _options?: { resetKeys: true }): middy.MiddlewareObj<any, any> {
  return {
    before: async (request) => target.setLambdaContext(request.context as Context),
  };
}
