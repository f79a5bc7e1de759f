import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface HubProcess {
  child: ChildProcess;
  output(): string;
  /** The emulator endpoint the hub printed on start (for checking its queues from outside) */
  fauxqsEndpoint(): string | undefined;
}

/** `npm start` as a newcomer runs it: its own process, its own emulators. */
export async function startHubProcess(env: Record<string, string>, port: number): Promise<HubProcess> {
  const child = spawn(process.execPath, ['infra/local/start.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Also to our own stdout, which test/support/captured-output.ts keeps and shows for a failing test.
  const collect = (chunk: Buffer) => {
    output += chunk;
    process.stdout.write(`[npm start ${child.pid}] ${chunk}`);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`npm start not healthy in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    output: () => output,
    fauxqsEndpoint: () => /fauxqs \(SQS \+ S3\) on (http:\/\/[0-9.:]+)/.exec(output)?.[1],
  };
}

/** Ctrl-C-like stop (SIGTERM): resolves with the exit code. */
export async function stopHubProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.kill(signal);
  return exited;
}

export function javaProcessesFor(dataDir: string): string {
  try {
    return execFileSync('pgrep', ['-af', 'DynamoDBLocal'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dataDir))
      .join('\n');
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}
