import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { References } from '../store/records.ts';
import type { ArchiveReceipt, ArchiveShipment, ArchiveTargetAdapter } from './types.ts';

/**
 * The file-drop archive: `<dir>/<kommunenummer>/<trackingId>/arkivmelding.xml` plus the documents it names,
 * for archives that import from a folder (and so `npm start` works with no archive at all).
 * It plays the archive's part of the protocol too: it numbers cases and journalposts in a small register,
 * reuses a case folder for the same external key, and answers Eksisterende for a journalpost it already has.
 */
export class FileDropArchive implements ArchiveTargetAdapter {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async send(shipment: ArchiveShipment): Promise<ArchiveReceipt> {
    const municipalityDir = join(this.dir, shipment.kommunenummer);
    const finalDir = join(municipalityDir, shipment.trackingId);
    const receiptFile = join(finalDir, '.kvittering.json');
    if (existsSync(receiptFile)) {
      const references = JSON.parse(await readFile(receiptFile, 'utf8')) as References;
      return { references: { ...references, opprettetEllerEksisterende: 'Eksisterende' }, existing: true };
    }
    await mkdir(municipalityDir, { recursive: true });
    const references = assignNumbers(municipalityDir, shipment);
    // Build the whole folder aside, then rename: an importer never sees half a record.
    const temp = join(municipalityDir, `.tmp-${shipment.trackingId}-${randomUUID()}`);
    try {
      await mkdir(temp);
      await Promise.all(shipment.files.map((f) => writeFile(join(temp, f.filename), f.bytes)));
      await writeFile(join(temp, '.kvittering.json'), `${JSON.stringify(references, null, 2)}\n`);
      await writeFile(join(temp, 'arkivmelding.xml'), shipment.arkivmeldingXml);
      await rename(temp, finalDir);
    } catch (error) {
      if (existsSync(receiptFile)) return this.send(shipment); // a concurrent redelivery won the rename
      throw error;
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    return { references: { ...references, opprettetEllerEksisterende: 'Opprettet' }, existing: false };
  }
}

interface Register {
  sequences: Record<string, { sak: number; journal: number }>;
  /** folder key → saksnummer, and saksnummer → journalposts so far */
  folders: Record<string, string>;
  folderCounts: Record<string, number>;
}

/**
 * Synchronous on purpose: read-modify-write in one tick cannot interleave with another delivery in
 * the same process (the local runner). Not for concurrent processes; a real archive does this itself.
 */
function assignNumbers(municipalityDir: string, shipment: ArchiveShipment): References {
  const file = join(municipalityDir, '.arkivregister.json');
  mkdirSync(municipalityDir, { recursive: true });
  const register: Register = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : { sequences: {}, folders: {}, folderCounts: {} };
  const year = String(new Date().getFullYear());
  const seq = register.sequences[year] ?? { sak: 0, journal: 0 };
  register.sequences[year] = seq;
  const known = shipment.folderKey ? register.folders[shipment.folderKey] : undefined;
  if (!known) seq.sak += 1;
  const saksnummer = known ?? `${year}/${seq.sak}`;
  if (shipment.folderKey && !known) register.folders[shipment.folderKey] = saksnummer;
  const journalpostnummer = (register.folderCounts[saksnummer] ?? 0) + 1;
  register.folderCounts[saksnummer] = journalpostnummer;
  seq.journal += 1;
  const journalnummer = `${year}/${seq.journal}`;
  writeFileSync(file, JSON.stringify(register, null, 2));
  return {
    saksnummer,
    journalpostnummer: String(journalpostnummer),
    dokumentreferanse: `${saksnummer}-${journalpostnummer}`,
    journalnummer,
    saksmappe: known ? 'Eksisterende' : 'Opprettet',
  };
}
