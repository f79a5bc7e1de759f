import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ArchiveShipment } from '../../shared/targets/types.ts';

const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-file-drop-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A fresh copy of the module: what a restarted hub process starts with (nothing in memory). */
async function freshArchive() {
  vi.resetModules();
  const { FileDropArchive } = await import('../../shared/targets/file-drop-archive.ts');
  return new FileDropArchive(dir);
}

const shipment = (trackingId: string, folderKey?: string): ArchiveShipment => ({
  kommunenummer: '3101',
  trackingId,
  arkivmeldingXml: `<arkivmelding>${trackingId}</arkivmelding>`,
  files: [{ filename: 'soknad.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.7') }],
  ...(folderKey ? { folderKey } : {}),
});

describe('the file-drop archive numbers cases and journalposts as an archive would', () => {
  it('keeps numbering across a restart, reuses a case for its folder key, and answers Eksisterende for a repeat', async () => {
    const year = new Date().getFullYear();
    const first = await freshArchive();
    const a = await first.send(shipment('t-a', 'sak-1'));
    const b = await first.send(shipment('t-b', 'sak-1'));
    const c = await first.send(shipment('t-c'));
    expect([a.references.saksnummer, b.references.saksnummer, c.references.saksnummer]).toEqual([
      `${year}/1`,
      `${year}/1`,
      `${year}/2`,
    ]);
    expect([a.references.journalpostnummer, b.references.journalpostnummer]).toEqual(['1', '2']);
    expect(b.references.saksmappe).toBe('Eksisterende');

    // A crash mid-append leaves half a line: it is skipped, and numbering goes on after what was complete.
    await appendFile(join(dir, '3101', '.arkivregister.jsonl'), '{"year":"20');
    const restarted = await freshArchive();
    const repeat = await restarted.send(shipment('t-a', 'sak-1'));
    expect(repeat.existing).toBe(true);
    expect(repeat.references).toMatchObject({ saksnummer: `${year}/1`, opprettetEllerEksisterende: 'Eksisterende' });
    const d = await restarted.send(shipment('t-d', 'sak-1'));
    const e = await restarted.send(shipment('t-e'));
    expect([d.references.saksnummer, d.references.journalpostnummer]).toEqual([`${year}/1`, '3']);
    expect([e.references.saksnummer, e.references.journalnummer]).toEqual([`${year}/3`, `${year}/5`]);
    expect(await readFile(join(dir, '3101', 't-e', 'arkivmelding.xml'), 'utf8')).toBe(
      '<arkivmelding>t-e</arkivmelding>',
    );

    // What was numbered after the broken line counts too.
    const again = await freshArchive();
    const f = await again.send(shipment('t-f', 'sak-1'));
    expect([f.references.journalpostnummer, f.references.journalnummer]).toEqual(['4', `${year}/6`]);
  });
});
