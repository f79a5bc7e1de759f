import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalClients } from '../../infra/local/clients.ts';
import { findDynamoDbLocalProcesses, startEmulators } from '../../infra/local/emulators.ts';
import { ensureBucket, ensureQueue, ensureTable } from '../../infra/local/provision.ts';
import { tableDefinition } from '../../shared/store/table.ts';
import { isLoopback, listeningSockets, socketInodesOf } from '../support/listeners.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-emulators-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) {
    for (const pid of await findDynamoDbLocalProcesses(join(dir, 'dynamodb'))) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

/** Starts emulators in another process; resolves with what it printed once they are up. */
async function startInChild(dataDir: string): Promise<{ child: ChildProcess; dynamoDbPid: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'emulators-child.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its warnings go where ours go: kept, and shown only if a test fails (test/support/captured-output.ts).
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  children.push(child);
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  return { child, dynamoDbPid: (JSON.parse(first) as { dynamoDbPid: number }).dynamoDbPid };
}

describe('emulators', () => {
  it('listen on 127.0.0.1 only: nobody else on the network can read the test data', async () => {
    const dataDir = await tempDir();
    const emulators = await startEmulators({ dataDir });
    try {
      const sockets = await listeningSockets();
      const javaSockets = await socketInodesOf(emulators.dynamoDbPid);
      const ours = sockets.filter(
        (s) => s.port === emulators.dynamoDbPort || s.port === emulators.fauxqsPort || javaSockets.has(s.inode),
      );
      // Both stand-ins are seen listening (else the check below proves nothing) …
      expect(new Set(ours.map((s) => s.port))).toEqual(new Set([emulators.dynamoDbPort, emulators.fauxqsPort]));
      // … and on loopback only: no 0.0.0.0, no ::, no other interface.
      expect(ours.filter((s) => !isLoopback(s.address)).map((s) => `${s.address}:${s.port}`)).toEqual([]);
      expect(new URL(emulators.sqsEndpoint).hostname).toBe('127.0.0.1');
    } finally {
      await emulators.stop();
    }
  }, 60_000);

  it('keeps items, messages and objects across a restart, and leaves no Java behind', async () => {
    const dataDir = await tempDir();
    const first = await startEmulators({ dataDir });
    let clients = createLocalClients(first);
    await ensureTable(clients.dynamodb, tableDefinition('skjemaflyt'));
    await ensureBucket(clients.s3, 'skjemaflyt-documents', first.region);
    const queue = await ensureQueue(
      clients.sqs,
      'skjemaflyt-test',
      { region: first.region, sqsEndpoint: first.sqsEndpoint },
      {
        VisibilityTimeout: '1',
      },
    );
    await clients.dynamodb.send(
      new PutItemCommand({
        TableName: 'skjemaflyt',
        Item: { pk: { S: 'SUB#1' }, sk: { S: 'SUBMISSION' }, name: { S: 'Sæther' } },
      }),
    );
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'levering æøå' }));
    await clients.s3.send(
      new PutObjectCommand({ Bucket: 'skjemaflyt-documents', Key: 'a/original.json', Body: '{"å":1}' }),
    );
    clients.destroy();
    expect(await findDynamoDbLocalProcesses(join(dataDir, 'dynamodb'))).toEqual([first.dynamoDbPid]);
    await first.stop();
    expect(await findDynamoDbLocalProcesses(join(dataDir, 'dynamodb'))).toEqual([]);
    expect(await findDynamoDbLocalProcesses()).not.toContain(first.dynamoDbPid);

    const second = await startEmulators({ dataDir });
    try {
      clients = createLocalClients(second);
      const item = await clients.dynamodb.send(
        new GetItemCommand({ TableName: 'skjemaflyt', Key: { pk: { S: 'SUB#1' }, sk: { S: 'SUBMISSION' } } }),
      );
      expect(item.Item?.name?.S).toBe('Sæther');
      const queueUrl = `${second.sqsEndpoint}${new URL(queue.queueUrl).pathname}`;
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual(['levering æøå']);
      const object = await clients.s3.send(
        new GetObjectCommand({ Bucket: 'skjemaflyt-documents', Key: 'a/original.json' }),
      );
      expect(await object.Body?.transformToString()).toBe('{"å":1}');
      // Provisioning again is harmless.
      await ensureTable(clients.dynamodb, tableDefinition('skjemaflyt'));
      await ensureBucket(clients.s3, 'skjemaflyt-documents', second.region);
      clients.destroy();
    } finally {
      await second.stop();
    }
    expect(await findDynamoDbLocalProcesses(join(dataDir, 'dynamodb'))).toEqual([]);
  }, 120_000);

  it('refuses a data folder a running hub uses, and cleans up after a crashed one', async () => {
    const dataDir = await tempDir();
    const { child, dynamoDbPid } = await startInChild(dataDir);
    await expect(startEmulators({ dataDir })).rejects.toThrow(/already in use by a running Skjemaflyt hub/);

    // The owner dies without cleaning up: its DynamoDB Local is left running.
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await findDynamoDbLocalProcesses(join(dataDir, 'dynamodb'))).toEqual([dynamoDbPid]);

    const lines: string[] = [];
    const emulators = await startEmulators({ dataDir, log: (line) => lines.push(line) });
    try {
      expect(lines.join('\n')).toMatch(new RegExp(`Stopping a DynamoDB Local \\(pid ${dynamoDbPid}\\)`));
      expect(await findDynamoDbLocalProcesses(join(dataDir, 'dynamodb'))).toEqual([emulators.dynamoDbPid]);
    } finally {
      await emulators.stop();
    }
    expect(await findDynamoDbLocalProcesses(join(dataDir, 'dynamodb'))).toEqual([]);
  }, 120_000);

  it('kills DynamoDB Local when the process ends without stop()', async () => {
    const dataDir = await tempDir();
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { child, dynamoDbPid } = await startInChild(dataDir);
      child.kill(signal);
      await new Promise((resolve) => child.once('exit', resolve));
      // The JVM gets SIGKILL synchronously; give the kernel a moment to reap it (checks, not a time limit).
      for (let check = 0; check < 300 && (await findDynamoDbLocalProcesses()).includes(dynamoDbPid); check++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await findDynamoDbLocalProcesses()).not.toContain(dynamoDbPid);
    }
  }, 120_000);
});
