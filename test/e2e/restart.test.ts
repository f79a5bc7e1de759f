import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newDataDir, processTokens, sample } from '../support/hub.ts';
import { freePort, javaProcessesFor, startHubProcess, stopHubProcess as stop } from '../support/hub-process.ts';

const children: ChildProcess[] = [];

async function start(dataDir: string, port: number) {
  const hub = await startHubProcess({ SKJEMAFLYT_DATA_DIR: dataDir }, port);
  children.push(hub.child);
  return hub;
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start survives a restart in the middle of a run', () => {
  it('delivers after the restart everything that was accepted before it, and leaves no java behind', async () => {
    const dataDir = await newDataDir();
    const port = await freePort();
    const first = await start(dataDir, port);
    // From the hub's local Maskinporten, before the restart: the token is still good after it.
    const token = await (await processTokens(dataDir))('eskjema', '3101');
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
