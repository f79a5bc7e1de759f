import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { FauxqsServer } from 'fauxqs';
import { LOCAL_CREDENTIALS, type LocalEndpoints } from './clients.ts';
import { spawnLoopbackDynamoDbLocal } from './dynamodb/launcher.ts';
import { LOOPBACK, startLoopbackFauxqs } from './fauxqs-loopback.ts';

/**
 * The local stand-ins for AWS: DynamoDB Local (a Java child process) and fauxqs (SQS + S3, in-process).
 * Both persist under the data dir, so tables, items, queues, in-flight messages and objects survive a restart.
 * Both listen on 127.0.0.1 only: they check no signature, so anyone who could reach them could read the data.
 */

export const DEFAULT_REGION = 'eu-north-1';

export interface EmulatorOptions {
  /** Absolute or relative; DynamoDB Local uses `<dataDir>/dynamodb`, fauxqs `<dataDir>/fauxqs`. */
  dataDir: string;
  region?: string;
  /** 0 or absent: a free port */
  dynamoDbPort?: number;
  /** 0 or absent: a free port */
  fauxqsPort?: number;
  /** How long DynamoDB Local may take to answer (JVM start). Default 60 s. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface Emulators extends LocalEndpoints {
  dataDir: string;
  dynamoDbPort: number;
  dynamoDbPid: number;
  fauxqsPort: number;
  fauxqs: FauxqsServer;
  stop(): Promise<void>;
}

export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  const region = options.region ?? DEFAULT_REGION;
  const dynamoDir = join(dataDir, 'dynamodb');
  const fauxqsDir = join(dataDir, 'fauxqs');
  await mkdir(dynamoDir, { recursive: true });
  await mkdir(fauxqsDir, { recursive: true });

  const lock = await acquireDataDirLock(dataDir, dynamoDir, log);
  let java: JavaProcess | undefined;
  let fauxqs: FauxqsServer | undefined;
  try {
    const dynamoDbPort = options.dynamoDbPort || (await findFreePort());
    java = await spawnJava(dynamoDir, dynamoDbPort);
    const dynamoDbEndpoint = `http://${LOOPBACK}:${dynamoDbPort}`;
    const [, server] = await Promise.all([
      waitForDynamoDb(java, dynamoDbEndpoint, region, options.startTimeoutMs ?? 60_000),
      startLoopbackFauxqs({
        port: options.fauxqsPort ?? 0,
        logger: false,
        dataDir: fauxqsDir,
        defaultRegion: region,
      }),
    ]);
    fauxqs = server;
    log(`DynamoDB Local on ${dynamoDbEndpoint} (pid ${java.child.pid}), fauxqs (SQS + S3) on ${fauxqs.address}`);

    const javaProcess = java;
    const fauxqsServer = fauxqs;
    let stopping: Promise<void> | undefined;
    return {
      dataDir,
      region,
      dynamoDbEndpoint,
      sqsEndpoint: fauxqsServer.address,
      s3Endpoint: fauxqsServer.address,
      dynamoDbPort,
      dynamoDbPid: javaProcess.child.pid ?? -1,
      fauxqsPort: fauxqsServer.port,
      fauxqs: fauxqsServer,
      stop() {
        stopping ??= (async () => {
          await Promise.allSettled([fauxqsServer.stop(), stopJava(javaProcess)]);
          await lock.release();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.allSettled([fauxqs?.stop(), java ? stopJava(java) : undefined]);
    await lock.release();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// DynamoDB Local (Java)

interface JavaProcess {
  child: ChildProcess;
  exited: Promise<void>;
  /** The last few KB of its output, for error messages */
  output(): string;
}

async function spawnJava(dynamoDir: string, port: number): Promise<JavaProcess> {
  // detached: its own process group, so a Ctrl-C in the terminal reaches only us and we stop things in order
  // (pollers first, then the database). We spawn `java` ourselves, so child.pid is the JVM.
  const child = await spawnLoopbackDynamoDbLocal({ dbPath: dynamoDir, port });
  liveChildren.add(child);
  installExitHooks();
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolveExit) => {
    const done = () => {
      liveChildren.delete(child);
      if (liveChildren.size === 0) removeExitHooks();
      resolveExit();
    };
    child.once('exit', done);
    child.once('error', (error) => {
      collect(Buffer.from(String(error)));
      done();
    });
  });
  return { child, exited, output: () => output };
}

async function waitForDynamoDb(java: JavaProcess, endpoint: string, region: string, timeoutMs: number) {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  });
  let exited = false;
  void java.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) {
        throw new Error(
          `DynamoDB Local stopped while starting (exit code ${java.child.exitCode ?? java.child.signalCode}). ` +
            `Is Java 17+ installed and on PATH? Output:\n${java.output()}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms. Output:\n${java.output()}`,
            {
              cause: error,
            },
          );
        }
      }
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}

async function stopJava(java: JavaProcess, graceMs = 5000): Promise<void> {
  const { child } = java;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await java.exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------------
// Never leave Java behind: kill it when the process exits (also after an uncaught error: 'exit' still fires),
// and on SIGINT / SIGTERM / SIGHUP when nobody else handles them (then re-raise, keeping the default behaviour).
// When someone else listens (the CLI), they run the orderly stop; the 'exit' hook is the safety net.

const liveChildren = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooksInstalled = false;

function killAllNow() {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function onExit() {
  killAllNow();
}

function onSignal(signal: NodeJS.Signals) {
  if (process.listenerCount(signal) > 1) return;
  killAllNow();
  removeExitHooks();
  process.kill(process.pid, signal);
}

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function removeExitHooks() {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

// ---------------------------------------------------------------------------------------------------------
// One runner per data dir. A lock file names the owning process; a DynamoDB Local left running by a crashed
// run (its owner is gone) is stopped; a live owner is a clear error.

interface DataDirLock {
  release(): Promise<void>;
}

const LOCK_FILE = '.emulators.lock';

async function acquireDataDirLock(
  dataDir: string,
  dynamoDir: string,
  log: (line: string) => void,
): Promise<DataDirLock> {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readLockOwner(file);
      if (owner !== undefined && isAlive(owner)) {
        const who = owner === process.pid ? 'this process' : `process ${owner}`;
        throw new Error(
          `The data folder ${dataDir} is already in use by a running Skjemaflyt hub (${who}). ` +
            `Stop that one first, or point SKJEMAFLYT_DATA_DIR at another folder. ` +
            `If you are sure nothing is running, delete ${file}.`,
        );
      }
      await rm(file, { force: true });
    }
  }
  // Any DynamoDB Local still serving this folder belongs to a crashed run (its owner is not alive).
  for (const pid of await findDynamoDbLocalProcesses(dynamoDir)) {
    log(`Stopping a DynamoDB Local (pid ${pid}) left running by an earlier run that crashed`);
    await killAndWait(pid);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if ((await readLockOwner(file)) === process.pid) await rm(file, { force: true });
    },
  };
}

async function readLockOwner(file: string): Promise<number | undefined> {
  try {
    const pid = Number((JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PIDs of DynamoDB Local JVMs whose -dbPath is this folder (via `ps`; none found if `ps` is unavailable). */
export async function findDynamoDbLocalProcesses(dynamoDir?: string): Promise<number[]> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,args='], { maxBuffer: 16 * 1024 * 1024 }));
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s(.*)$/.exec(line);
    if (!match?.[1] || !match[2]?.includes('DynamoDBLocal.jar')) continue;
    const args = `${match[2]} `;
    if (dynamoDir !== undefined && !args.includes(` -dbPath ${dynamoDir} `)) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid) pids.push(pid);
  }
  return pids;
}

async function killAndWait(pid: number, timeoutMs = 5000) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
}
