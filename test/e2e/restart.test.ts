import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevKeys } from '../../shared/auth/dev-keys.ts';
import { signDevToken } from '../../shared/auth/tokens.ts';
import { newDataDir, sample, settings } from '../support/hub.ts';

const root = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** `npm start` as a newcomer runs it: its own process, its own emulators. */
async function start(dataDir: string, port: number) {
  const child = spawn(process.execPath, ['infra/local/start.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), SKJEMAFLYT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, output: () => output };
    if (Date.now() > deadline) throw new Error(`npm start not healthy in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.kill('SIGTERM');
  return exited;
}

function javaProcessesFor(dataDir: string): string {
  try {
    return execFileSync('pgrep', ['-af', 'DynamoDBLocal'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dataDir))
      .join('\n');
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start survives a restart in the middle of a run', () => {
  it('delivers after the restart everything that was accepted before it, and leaves no java behind', async () => {
    const dataDir = await newDataDir();
    const port = await freePort();
    const first = await start(dataDir, port);
    const keys = await loadOrCreateDevKeys(dataDir);
    const token = await signDevToken(keys.privateKey, settings, { provider: 'eskjema' });
    const base = await sample('tt-kort-soknad');

    const N = 40;
    const receipts = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const response = await fetch(`http://127.0.0.1:${port}/v1/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...base, submissionId: `restart-${i}` }),
        });
        expect(response.status).toBe(202);
        return (await response.json()) as { trackingId: string };
      }),
    );

    expect(await stop(first.child)).toBe(0);
    expect(javaProcessesFor(dataDir)).toBe('');
    const archiveDir = join(dataDir, 'archive', '3101');
    const deliveredBeforeRestart = (await readdir(archiveDir).catch(() => [])).filter((f) => !f.startsWith('.')).length;
    // The restart must really have interrupted the run, or this test proves nothing.
    expect(deliveredBeforeRestart).toBeLessThan(N);

    const second = await start(dataDir, port);
    const deadline = Date.now() + 60_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = await Promise.all(
        receipts.map(async ({ trackingId }) => {
          const r = await fetch(`http://127.0.0.1:${port}/v1/submissions/${trackingId}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return ((await r.json()) as { status: string }).status;
        }),
      );
      if (statuses.every((s) => s === 'DELIVERED')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(statuses.filter((s) => s !== 'DELIVERED')).toEqual([]);
    const folders = (await readdir(archiveDir)).filter((f) => !f.startsWith('.'));
    expect(folders.sort()).toEqual(receipts.map((r) => r.trackingId).sort());

    expect(await stop(second.child)).toBe(0);
    expect(javaProcessesFor(dataDir)).toBe('');
  }, 240_000);
});
