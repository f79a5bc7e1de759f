/**
 * Counts every AWS SDK request made in this process, by the function that made it (or the local runner, which stands
 * in for Lambda's event source mapping), by service and operation, with what AWS bills by: DynamoDB capacity units
 * (every DynamoDB call asks for ReturnConsumedCapacity; DynamoDB Local computes them as AWS does), SQS message
 * payload, S3 object bytes. Installed once, before any SDK client sends anything.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from '@smithy/core/client';

export interface RequestTally {
  requests: number;
  /** DynamoDB write/read request units consumed */
  writeUnits: number;
  readUnits: number;
  /** SQS: 64 KB chunks billed (a request counts once per started 64 KB of payload); S3: object bytes */
  billedRequests: number;
  bytes: number;
  /** SQS ReceiveMessage: messages received, and receives that came back empty */
  messages: number;
  empty: number;
}

/** `<function>\t<service>\t<operation>[:<DynamoDB table>]` → tally */
export type RequestCounts = Map<string, RequestTally>;

const callerStore = new AsyncLocalStorage<string>();
const counts: RequestCounts = new Map();

/** The function the current code runs for (undefined outside any). */
export function currentCaller(): string | undefined {
  return callerStore.getStore();
}

/** Runs `work` as `caller`: SDK requests made inside are counted against it. */
export function asCaller<T>(caller: string, work: () => T): T {
  return callerStore.run(caller, work);
}

// The Document client's commands carry short names; count them as the DynamoDB operation they are.
const DOCUMENT_OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
  BatchWrite: 'BatchWriteItem',
  BatchGet: 'BatchGetItem',
};

const SQS_CHUNK = 64 * 1024;

function byteLength(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

interface Capacity {
  CapacityUnits?: number;
  WriteCapacityUnits?: number;
  ReadCapacityUnits?: number;
}

function tally(key: string): RequestTally {
  let t = counts.get(key);
  if (!t) {
    t = { requests: 0, writeUnits: 0, readUnits: 0, billedRequests: 0, bytes: 0, messages: 0, empty: 0 };
    counts.set(key, t);
  }
  return t;
}

const WRITES = /^(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)$/;

function record(service: string, operation: string, input: Record<string, unknown>, output: Record<string, unknown>) {
  // DynamoDB by table too (e.g. the idempotency table's writes are a design choice of their own).
  const table = service === 'DynamoDB' && typeof input.TableName === 'string' ? `:${input.TableName}` : '';
  const t = tally(`${callerStore.getStore() ?? 'runner'}\t${service}\t${operation}${table}`);
  t.requests++;
  t.billedRequests++;
  if (service === 'DynamoDB') {
    const consumed = output.ConsumedCapacity as Capacity | Capacity[] | undefined;
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      const units = c.CapacityUnits ?? 0;
      if (c.WriteCapacityUnits !== undefined || c.ReadCapacityUnits !== undefined) {
        t.writeUnits += c.WriteCapacityUnits ?? 0;
        t.readUnits += c.ReadCapacityUnits ?? 0;
      } else if (WRITES.test(operation)) t.writeUnits += units;
      else t.readUnits += units;
    }
  } else if (service === 'SQS') {
    if (operation === 'SendMessage' || operation === 'SendMessageBatch') {
      const entries = (input.Entries as { MessageBody?: string }[] | undefined) ?? [input as { MessageBody?: string }];
      const bytes = entries.reduce((sum, e) => sum + byteLength(e.MessageBody), 0);
      t.bytes += bytes;
      t.messages += entries.length;
      t.billedRequests += Math.max(0, Math.ceil(bytes / SQS_CHUNK) - 1);
    } else if (operation === 'ReceiveMessage') {
      const received = (output.Messages as unknown[] | undefined)?.length ?? 0;
      t.messages += received;
      if (received === 0) t.empty++;
    }
  } else if (service === 'S3') {
    if (operation === 'PutObject') t.bytes += byteLength(input.Body);
    if (operation === 'GetObject') t.bytes += Number(output.ContentLength ?? 0);
  }
}

let installed = false;

/** Wraps Client.prototype.send (the one every SDK v3 client inherits). Idempotent. */
export function installRequestCounter(): void {
  if (installed) return;
  installed = true;
  type Send = (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => unknown;
  const send = Client.prototype.send as unknown as Send;
  const counted: Send = function countedSend(this, command, ...rest) {
    const service = String(this.config.serviceId ?? this.constructor.name);
    const name = String(command?.constructor?.name ?? 'Unknown').replace(/Command$/, '');
    const operation = service === 'DynamoDB' ? (DOCUMENT_OPERATIONS[name] ?? name) : name;
    const input = command?.input ?? {};
    if (service === 'DynamoDB' && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
    // The callback style is not used by the hub; pass it through uncounted.
    if (rest.some((r) => typeof r === 'function')) return send.call(this, command, ...rest);
    return (send.call(this, command, ...rest) as Promise<Record<string, unknown>>).then((output) => {
      record(service, operation, input, output ?? {});
      return output;
    });
  };
  Client.prototype.send = counted as unknown as typeof Client.prototype.send;
}

interface SdkClient {
  config: { serviceId?: string };
}

interface SdkCommand {
  input?: Record<string, unknown>;
}

/** A copy of the counts so far (to subtract from a later one). */
export function snapshot(): RequestCounts {
  return new Map([...counts].map(([k, v]) => [k, { ...v }]));
}

/** What happened between two snapshots. */
export function since(before: RequestCounts, after: RequestCounts = snapshot()): RequestCounts {
  const out: RequestCounts = new Map();
  for (const [key, a] of after) {
    const b = before.get(key);
    const d = { ...a };
    if (b) for (const f of Object.keys(d) as (keyof RequestTally)[]) d[f] -= b[f];
    if (d.requests > 0) out.set(key, d);
  }
  return out;
}
