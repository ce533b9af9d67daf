/**
 * The load generator of bench/load.ts, run as a child process (fork) so that the clients
 * do not share an event loop with the gateway and handlers they measure. It receives one
 * scenario over IPC, runs `concurrency` async workers until the time is up or the work
 * items are used up, and sends the latencies back. Only 127.0.0.1 is ever called.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from '../functions/core/data/keys.js';

export type Scenario =
  | { kind: 'http-get'; url: string }
  | { kind: 'http-join'; url: string; planId: string; tokens: string[] }
  | { kind: 'ddb-get'; endpoint: string; table: string; key: Record<string, string> }
  | { kind: 'ddb-put'; endpoint: string; table: string; associationId: string; member: Record<string, unknown>; prefix: string };

export interface LoadSpec {
  scenario: Scenario;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  /** Hard bound on requests, warm-up included. */
  maxRequests: number;
}

export interface LoadResult {
  completed: number;
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  endedBy: 'time' | 'count';
  warmup: number;
  latencies: number[];
}

const local = (u: string) => {
  if (new URL(u).hostname !== '127.0.0.1') throw new Error(`refusing to load ${u}: not 127.0.0.1`);
  return u;
};

/** One request of the scenario, number i; resolves to an error description or null. */
function requester(s: Scenario): { one: (i: number) => Promise<string | null>; close: () => void } {
  const timeout = () => AbortSignal.timeout(10_000);
  if (s.kind === 'http-get' || s.kind === 'http-join') {
    const url = local(s.url);
    if (s.kind === 'http-get') {
      return {
        one: async () => {
          const res = await fetch(url, { signal: timeout() });
          await res.arrayBuffer();
          return res.status === 200 ? null : `HTTP ${res.status}`;
        },
        close: () => {},
      };
    }
    const body = JSON.stringify({ planId: s.planId });
    return {
      one: async (i) => {
        const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${s.tokens[i]}`, 'content-type': 'application/json' }, body, signal: timeout() });
        const text = await res.text();
        return res.status === 201 ? null : `HTTP ${res.status} ${text.slice(0, 120)}`;
      },
      close: () => {},
    };
  }
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local(s.endpoint), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  if (s.kind === 'ddb-get') {
    return {
      one: async () => {
        const out = await db.send(new GetCommand({ TableName: s.table, Key: s.key }), { abortSignal: timeout() });
        return out.Item ? null : 'item not found';
      },
      close: () => db.destroy(),
    };
  }
  return {
    one: async (i) => {
      const userId = `${s.prefix}${i}`;
      const item = {
        ...s.member,
        ...keys.member(s.associationId, userId),
        ...keys.memberByUser(userId, s.associationId),
        userId,
        email: `${userId}@bench.test`,
        emailLower: `${userId}@bench.test`,
      };
      await db.send(new PutCommand({ TableName: s.table, Item: item }), { abortSignal: timeout() });
      return null;
    },
    close: () => db.destroy(),
  };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const { one, close } = requester(spec.scenario);
  const limit = spec.scenario.kind === 'http-join' ? Math.min(spec.maxRequests, spec.scenario.tokens.length) : spec.maxRequests;
  let next = 0;
  const errorSamples = new Set<string>();
  let errors = 0;
  const latencies: number[] = [];
  let recording = false;

  const phase = async (ms: number) => {
    const deadline = performance.now() + ms;
    const worker = async () => {
      while (performance.now() < deadline && next < limit) {
        const i = next++;
        const t0 = performance.now();
        let err: string | null;
        try {
          err = await one(i);
        } catch (e) {
          err = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 160);
        }
        if (!recording) continue;
        latencies.push(performance.now() - t0);
        if (err) {
          errors++;
          if (errorSamples.size < 3) errorSamples.add(err);
        }
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  };

  try {
    if (spec.warmupSeconds > 0) await phase(spec.warmupSeconds * 1000);
    const warmup = next;
    recording = true;
    const t0 = performance.now();
    await phase(spec.seconds * 1000);
    const elapsedMs = performance.now() - t0;
    return { completed: latencies.length, errors, errorSamples: [...errorSamples], elapsedMs, endedBy: next >= limit ? 'count' : 'time', warmup, latencies };
  } finally {
    close();
  }
}

if (process.send) {
  process.once('message', (spec: LoadSpec) => {
    runLoad(spec).then(
      (result) => process.send!({ ok: true, result }, () => process.exit(0)),
      (err) => process.send!({ ok: false, error: String((err as Error).stack ?? err) }, () => process.exit(1)),
    );
  });
} else if (process.argv[1]?.endsWith('load-client.ts')) {
  console.error('bench/load-client.ts is the load generator of bench/load.ts; run `npx tsx bench/load.ts`.');
  process.exitCode = 2;
}
