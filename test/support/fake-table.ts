/**
 * An in-memory single table behind a mocked DynamoDBDocumentClient, for service tests
 * that need writes to take effect: reads see earlier writes, and condition expressions
 * are evaluated (a small subset of DynamoDB's expression language: comparisons, IN,
 * BETWEEN, AND/OR/NOT, attribute_exists, attribute_not_exists, begins_with; SET with
 * + and -, REMOVE, ADD of numbers). A failed condition raises the same exception DynamoDB raises
 * (ConditionalCheckFailedException, or TransactionCanceledException with one reason per
 * item), so the store's own error mapping is exercised. Anything the fake does not
 * understand throws, so a test never passes on an expression it silently ignored.
 *
 * Scan is refused: the store promises never to scan.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { tableSchema } from '../../functions/core/data/table-schema.js';

export type Item = Record<string, unknown> & { pk: string; sk: string };
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;
export type TransactItem = {
  Put?: { TableName?: string; Item: Record<string, unknown>; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values };
  Update?: { TableName?: string; Key: Record<string, unknown>; UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values };
  Delete?: { TableName?: string; Key: Record<string, unknown>; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values };
  ConditionCheck?: { TableName?: string; Key: Record<string, unknown>; ConditionExpression: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values };
};

const keyOf = (k: Record<string, unknown>) => `${String(k.pk)}|${String(k.sk)}`;

/** A copy without undefined attributes, as the document client (removeUndefinedValues) stores it. */
function clean<T>(v: T): T {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(clean) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clean(x);
    return out as T;
  }
  return v;
}

// ------------------------------------------------------------------ expressions

type Tok = { t: 'name' | 'value' | 'ident' | 'op' | 'punct' | 'num'; v: string };

function tokenize(expr: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_.]*)|(<>|<=|>=|=|<|>|\+|-)|([(),])|(\d+))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw new Error(`fake table: cannot parse expression near "${expr.slice(pos)}" in "${expr}"`);
    pos = re.lastIndex;
    if (m[1]) out.push({ t: 'name', v: m[1] });
    else if (m[2]) out.push({ t: 'value', v: m[2] });
    else if (m[3]) out.push({ t: 'ident', v: m[3] });
    else if (m[4]) out.push({ t: 'op', v: m[4] });
    else if (m[5]) out.push({ t: 'punct', v: m[5] });
    else if (m[6]) out.push({ t: 'num', v: m[6] });
  }
  return out;
}

class Parser {
  i = 0;
  constructor(
    readonly toks: Tok[],
    readonly expr: string,
    readonly names: Names,
    readonly values: Values,
    readonly item: Record<string, unknown> | undefined,
  ) {}
  peek() {
    return this.toks[this.i];
  }
  next() {
    const t = this.toks[this.i++];
    if (!t) throw new Error(`fake table: unexpected end of "${this.expr}"`);
    return t;
  }
  kw(word: string) {
    const t = this.peek();
    if (t?.t === 'ident' && t.v.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(v: string) {
    const t = this.next();
    if (t.v !== v) throw new Error(`fake table: expected "${v}" but got "${t.v}" in "${this.expr}"`);
  }
  attrName(t: Tok): string {
    if (t.t === 'name') {
      const n = this.names?.[t.v];
      if (n === undefined) throw new Error(`fake table: ${t.v} is not in ExpressionAttributeNames of "${this.expr}"`);
      return n;
    }
    if (t.t === 'ident') return t.v;
    throw new Error(`fake table: expected an attribute, got "${t.v}" in "${this.expr}"`);
  }
  operand(): { present: boolean; value: unknown } {
    const t = this.next();
    if (t.t === 'value') {
      if (!this.values || !(t.v in this.values)) throw new Error(`fake table: ${t.v} is not in ExpressionAttributeValues of "${this.expr}"`);
      return { present: true, value: this.values[t.v] };
    }
    if (t.t === 'num') return { present: true, value: Number(t.v) };
    const name = this.attrName(t);
    const present = !!this.item && name in this.item;
    return { present, value: present ? this.item![name] : undefined };
  }
  // cond := and (OR and)*
  cond(): boolean {
    let v = this.and();
    while (this.kw('OR')) v = this.and() || v;
    return v;
  }
  and(): boolean {
    let v = this.not();
    while (this.kw('AND')) v = this.not() && v;
    return v;
  }
  not(): boolean {
    if (this.kw('NOT')) return !this.not();
    return this.primary();
  }
  primary(): boolean {
    const t = this.peek();
    if (t?.t === 'punct' && t.v === '(') {
      this.next();
      const v = this.cond();
      this.expect(')');
      return v;
    }
    if (t?.t === 'ident' && ['attribute_exists', 'attribute_not_exists', 'begins_with'].includes(t.v)) {
      this.next();
      this.expect('(');
      if (t.v === 'begins_with') {
        const a = this.operand();
        this.expect(',');
        const b = this.operand();
        this.expect(')');
        return a.present && typeof a.value === 'string' && typeof b.value === 'string' && a.value.startsWith(b.value);
      }
      const name = this.attrName(this.next());
      this.expect(')');
      const exists = !!this.item && name in this.item;
      return t.v === 'attribute_exists' ? exists : !exists;
    }
    if (t?.t === 'ident' && !['attribute_exists', 'attribute_not_exists', 'begins_with'].includes(t.v) && this.toks[this.i + 1]?.v === '(') {
      throw new Error(`fake table: function ${t.v} is not supported ("${this.expr}")`);
    }
    const left = this.operand();
    if (this.kw('IN')) {
      this.expect('(');
      const list = [this.operand().value];
      while (this.peek()?.v === ',') {
        this.next();
        list.push(this.operand().value);
      }
      this.expect(')');
      return left.present && list.some((x) => x === left.value);
    }
    if (this.kw('BETWEEN')) {
      const lo = this.operand();
      if (!this.kw('AND')) throw new Error(`fake table: BETWEEN without AND in "${this.expr}"`);
      const hi = this.operand();
      return left.present && (left.value as any) >= (lo.value as any) && (left.value as any) <= (hi.value as any);
    }
    const op = this.next();
    if (op.t !== 'op') throw new Error(`fake table: expected a comparator, got "${op.v}" in "${this.expr}"`);
    const right = this.operand();
    // Comparing with a missing attribute is false, as in DynamoDB.
    if (!left.present || !right.present) return false;
    const [a, b] = [left.value as any, right.value as any];
    if (a === null || b === null) return op.v === '=' ? a === b : op.v === '<>' ? a !== b : false;
    if (typeof a !== typeof b) return op.v === '<>';
    switch (op.v) {
      case '=':
        return a === b;
      case '<>':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
    throw new Error(`fake table: unsupported comparator ${op.v}`);
  }
}

export function evaluateCondition(expr: string | undefined, item: Record<string, unknown> | undefined, names: Names, values: Values): boolean {
  if (!expr) return true;
  const p = new Parser(tokenize(expr), expr, names, values, item);
  const v = p.cond();
  if (p.i !== p.toks.length) throw new Error(`fake table: trailing tokens in "${expr}"`);
  return v;
}

/** Applies `SET a = v [+|- v], ... REMOVE a, ...` to a copy of `item`. */
export function applyUpdate(expr: string, item: Record<string, unknown>, names: Names, values: Values): Record<string, unknown> {
  const out = { ...item };
  const clauses = expr.split(/\b(SET|REMOVE|ADD|DELETE)\b/).map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < clauses.length; i += 2) {
    const kind = clauses[i]!;
    const body = clauses[i + 1] ?? '';
    if (kind === 'SET') {
      for (const part of body.split(',')) {
        const toks = tokenize(part);
        // Every operand reads the item as it was before this update, as in DynamoDB.
        const p = new Parser(toks, part, names, values, item);
        const target = p.attrName(p.next());
        p.expect('=');
        let v = p.operand();
        if (p.peek()?.t === 'op' && (p.peek()!.v === '+' || p.peek()!.v === '-')) {
          const op = p.next().v;
          const w = p.operand();
          if (!v.present || !w.present) throw new Error(`fake table: arithmetic on a missing attribute in "${part}" (DynamoDB rejects this)`);
          v = { present: true, value: op === '+' ? (v.value as number) + (w.value as number) : (v.value as number) - (w.value as number) };
        }
        if (p.i !== toks.length) throw new Error(`fake table: unsupported SET clause "${part}"`);
        out[target] = v.value;
      }
    } else if (kind === 'REMOVE') {
      for (const part of body.split(',')) {
        const p = new Parser(tokenize(part), part, names, values, out);
        delete out[p.attrName(p.next())];
      }
    } else if (kind === 'ADD') {
      // Numbers only: ADD creates a missing attribute at 0 first, as DynamoDB does.
      for (const part of body.split(',')) {
        const p = new Parser(tokenize(part), part, names, values, out);
        const target = p.attrName(p.next());
        const v = p.operand();
        if (typeof v.value !== 'number') throw new Error(`fake table: ADD of a non-number in "${part}"`);
        const current = out[target] ?? 0;
        if (typeof current !== 'number') throw new Error(`fake table: ADD to a non-number in "${part}"`);
        out[target] = current + v.value;
      }
    } else {
      throw new Error(`fake table: ${kind} is not supported ("${expr}")`);
    }
  }
  return clean(out);
}

// ------------------------------------------------------------------ the table

export class FakeTable {
  readonly items = new Map<string, Item>();
  /** Called before each transaction is evaluated: may change the table (a concurrent writer) or return an error to raise. */
  onTransact?: (items: TransactItem[], n: number) => Error | void;
  private transactions = 0;
  private failures = new Map<string, Error[]>();

  constructor(initial: Item[] = []) {
    for (const it of initial) this.put(it);
  }

  put(item: Item) {
    this.items.set(keyOf(item), clean(structuredClone(item)));
  }
  get(pk: string, sk: string): Item | undefined {
    const it = this.items.get(`${pk}|${sk}`);
    return it ? structuredClone(it) : undefined;
  }
  /** Items whose pk starts with `prefix`, e.g. 'OUTBOX#'. */
  all(pkPrefix: string, skPrefix = ''): Item[] {
    return [...this.items.values()].filter((i) => i.pk.startsWith(pkPrefix) && i.sk.startsWith(skPrefix)).map((i) => structuredClone(i));
  }
  /** The next `command` (GetCommand, QueryCommand, ...) fails with `err` instead of running. */
  failNext(command: string, err: Error) {
    this.failures.set(command, [...(this.failures.get(command) ?? []), err]);
  }

  private takeFailure(command: string) {
    const queue = this.failures.get(command);
    const err = queue?.shift();
    if (err) throw err;
  }

  /** Serves every command of `ddb` from this table. */
  attach(ddb: AwsClientStub<DynamoDBDocumentClient>): this {
    ddb.on(GetCommand).callsFake((input) => this.run('GetCommand', () => this.getItem(input)));
    ddb.on(PutCommand).callsFake((input) => this.run('PutCommand', () => this.putItem(input), [input]));
    ddb.on(UpdateCommand).callsFake((input) => this.run('UpdateCommand', () => this.updateItem(input), [input]));
    ddb.on(DeleteCommand).callsFake((input) => this.run('DeleteCommand', () => this.deleteItem(input), [input]));
    ddb.on(QueryCommand).callsFake((input) => this.run('QueryCommand', () => this.query(input), [input]));
    ddb.on(BatchGetCommand).callsFake((input) => this.run('BatchGetCommand', () => this.batchGet(input)));
    ddb.on(BatchWriteCommand).callsFake((input) => this.run('BatchWriteCommand', () => this.batchWrite(input)));
    ddb.on(TransactWriteCommand).callsFake((input) => this.run('TransactWriteCommand', () => this.transact(input.TransactItems), (input.TransactItems ?? []).map((t: TransactItem) => (t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck) as Record<string, unknown>)));
    ddb.on(ScanCommand).callsFake(() => {
      throw new Error('fake table: Scan is not allowed');
    });
    return this;
  }

  /** Items per Query page at most, as if each page were 1 MB (unset: pages end only at Limit). */
  pageSize?: number;

  private run<T>(command: string, fn: () => T, inputs: Record<string, unknown>[] = []): T {
    this.takeFailure(command);
    for (const input of inputs) rejectUnused(input);
    return fn();
  }

  /** As the service refuses a single-item write: with the item as it stands, in the wire format (the document client does not convert errors), when asked for. */
  private refused(input: object, existing: Item | undefined): ConditionalCheckFailedException {
    const item = (input as { ReturnValuesOnConditionCheckFailure?: string }).ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing ? { Item: marshall(existing, { removeUndefinedValues: true }) } : {};
    return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...item });
  }

  private getItem(input: { Key: Record<string, unknown> }) {
    const it = this.items.get(keyOf(input.Key));
    return it ? { Item: structuredClone(it) } : {};
  }

  private putItem(input: NonNullable<TransactItem['Put']>) {
    const existing = this.items.get(keyOf(input.Item));
    if (!evaluateCondition(input.ConditionExpression, existing, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) throw this.refused(input, existing);
    this.items.set(keyOf(input.Item), clean(structuredClone(input.Item)) as Item);
    return {};
  }

  private updateItem(input: NonNullable<TransactItem['Update']> & { ReturnValues?: string }) {
    const k = keyOf(input.Key);
    const existing = this.items.get(k);
    if (!evaluateCondition(input.ConditionExpression, existing, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) throw this.refused(input, existing);
    const updated = applyUpdate(input.UpdateExpression, { ...(existing ?? input.Key) }, input.ExpressionAttributeNames, input.ExpressionAttributeValues) as Item;
    this.items.set(k, updated);
    if (input.ReturnValues === 'UPDATED_NEW') {
      const changed = Object.fromEntries(Object.entries(updated).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(existing?.[k])));
      return { Attributes: structuredClone(changed) };
    }
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: structuredClone(updated) } : {};
  }

  private deleteItem(input: NonNullable<TransactItem['Delete']>) {
    const k = keyOf(input.Key);
    if (!evaluateCondition(input.ConditionExpression, this.items.get(k), input.ExpressionAttributeNames, input.ExpressionAttributeValues)) throw this.refused(input, this.items.get(k));
    this.items.delete(k);
    return {};
  }

  private query(input: {
    IndexName?: string;
    KeyConditionExpression: string;
    FilterExpression?: string;
    ExpressionAttributeNames?: Names;
    ExpressionAttributeValues?: Values;
    Limit?: number;
    ExclusiveStartKey?: Record<string, unknown>;
    ScanIndexForward?: boolean;
    Select?: string;
  }) {
    const index = input.IndexName ? tableSchema.globalSecondaryIndexes.find((g) => g.indexName === input.IndexName) : undefined;
    if (input.IndexName && !index) throw new Error(`fake table: no index ${input.IndexName}`);
    const [pkAttr, skAttr] = index ? [index.partitionKey, index.sortKey] : ['pk', 'sk'];
    if (input.ExclusiveStartKey) {
      // DynamoDB's rule: a resume key holds exactly the table's keys plus the queried index's.
      const want = [...new Set(['pk', 'sk', pkAttr, skAttr])].sort();
      const got = Object.keys(input.ExclusiveStartKey).sort();
      if (want.join() !== got.join()) throw Object.assign(new Error('The provided starting key is invalid'), { name: 'ValidationException' });
    }
    let rows = [...this.items.values()].filter((it) => it[pkAttr] !== undefined && evaluateCondition(input.KeyConditionExpression, it, input.ExpressionAttributeNames, input.ExpressionAttributeValues));
    const cmp = (a: Item, b: Item) => {
      const x = String(a[skAttr] ?? '');
      const y = String(b[skAttr] ?? '');
      return x < y ? -1 : x > y ? 1 : keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
    };
    rows.sort(cmp);
    if (input.ScanIndexForward === false) rows.reverse();
    if (input.ExclusiveStartKey) {
      const at = rows.findIndex((r) => keyOf(r) === keyOf(input.ExclusiveStartKey!));
      if (at < 0) throw new Error('fake table: ExclusiveStartKey names no item of this query');
      rows = rows.slice(at + 1);
    }
    // DynamoDB ends a page at 1 MB whatever the Limit: pageSize stands in for that.
    const limit = Math.min(input.Limit ?? Infinity, this.pageSize ?? Infinity);
    const evaluated = rows.slice(0, limit);
    const more = rows.length > evaluated.length;
    const last = evaluated[evaluated.length - 1];
    const found = evaluated.filter((it) => evaluateCondition(input.FilterExpression, it, input.ExpressionAttributeNames, input.ExpressionAttributeValues));
    const lastKey = more && last ? { pk: last.pk, sk: last.sk, ...(input.IndexName ? { [pkAttr]: last[pkAttr], [skAttr]: last[skAttr] } : {}) } : undefined;
    if (input.Select === 'COUNT') return { Count: found.length, LastEvaluatedKey: lastKey };
    return { Items: found.map((i) => structuredClone(i)), Count: found.length, LastEvaluatedKey: lastKey };
  }

  private batchWrite(input: { RequestItems: Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]> }) {
    for (const requests of Object.values(input.RequestItems)) {
      if (requests.length > 25) throw Object.assign(new Error('Too many items requested for the BatchWriteItem call'), { name: 'ValidationException' });
      for (const r of requests) {
        if (r.PutRequest) this.items.set(keyOf(r.PutRequest.Item), clean(structuredClone(r.PutRequest.Item)) as Item);
        else if (r.DeleteRequest) this.items.delete(keyOf(r.DeleteRequest.Key));
      }
    }
    return { UnprocessedItems: {} };
  }

  private batchGet(input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) {
    const Responses: Record<string, Item[]> = {};
    for (const [table, { Keys }] of Object.entries(input.RequestItems)) {
      Responses[table] = Keys.map((k) => this.items.get(keyOf(k))).filter((i): i is Item => !!i).map((i) => structuredClone(i));
    }
    return { Responses };
  }

  private transact(items: TransactItem[]) {
    const n = this.transactions++;
    const injected = this.onTransact?.(items, n);
    if (injected) throw injected;
    const targets = items.map((ti) => keyOf(ti.Put?.Item ?? ti.Update?.Key ?? ti.Delete?.Key ?? ti.ConditionCheck?.Key ?? {}));
    if (new Set(targets).size !== targets.length) {
      const err = new Error('Transaction request cannot include multiple operations on one item');
      err.name = 'ValidationException';
      throw err;
    }
    const reasons = items.map((ti) => {
      const op = ti.Put ?? ti.Update ?? ti.Delete ?? ti.ConditionCheck;
      if (!op) throw new Error('fake table: empty transaction item');
      const key = keyOf(ti.Put?.Item ?? (op as { Key: Record<string, unknown> }).Key);
      const ok = evaluateCondition(op.ConditionExpression, this.items.get(key), op.ExpressionAttributeNames, op.ExpressionAttributeValues);
      return ok ? 'None' : 'ConditionalCheckFailed';
    });
    if (reasons.includes('ConditionalCheckFailed')) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons.map((Code) => ({ Code })),
      });
    }
    for (const ti of items) {
      if (ti.Put) this.items.set(keyOf(ti.Put.Item), clean(structuredClone(ti.Put.Item)) as Item);
      else if (ti.Update) {
        const k = keyOf(ti.Update.Key);
        this.items.set(k, applyUpdate(ti.Update.UpdateExpression, { ...(this.items.get(k) ?? ti.Update.Key) }, ti.Update.ExpressionAttributeNames, ti.Update.ExpressionAttributeValues) as Item);
      } else if (ti.Delete) this.items.delete(keyOf(ti.Delete.Key));
    }
    return {};
  }
}

/** A TransactionCanceledException with the given reason codes, as DynamoDB raises it. */
/**
 * DynamoDB refuses a request whose ExpressionAttributeValues or Names hold one its expressions
 * never use (ValidationException, a 500 for the caller): so does the fake.
 */
function rejectUnused(input: Record<string, unknown>) {
  const text = ['UpdateExpression', 'ConditionExpression', 'KeyConditionExpression', 'FilterExpression', 'ProjectionExpression'].map((k) => String(input[k] ?? '')).join(' ');
  const used = (token: string) => new RegExp(`${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`).test(text);
  const unused = [...Object.keys((input.ExpressionAttributeValues as object) ?? {}), ...Object.keys((input.ExpressionAttributeNames as object) ?? {})].filter((t) => !used(t));
  if (unused.length) throw Object.assign(new Error(`Value provided in ExpressionAttributeValues or Names unused in expressions: keys: {${unused.join(', ')}}`), { name: 'ValidationException' });
}

export function transactionCancelled(codes: string[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}
