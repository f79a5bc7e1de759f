import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { References } from '../store/records.ts';
import type { ArchiveReceipt, ArchiveShipment, ArchiveTargetAdapter } from './types.ts';

/**
 * The file-drop archive: `<dir>/<kommunenummer>/<trackingId>/arkivmelding.xml` plus the documents it names,
 * for archives that import from a folder (and so `npm start` works with no archive at all).
 * It plays the archive's part of the protocol too: it numbers cases and journalposts in a small register (a log),
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

/** One numbering, as a line of the register's log */
interface Assignment {
  year: string;
  folderKey?: string;
  saksnummer: string;
  journalpostnummer: number;
  journalnummer: string;
}

const REGISTER_LOG = '.arkivregister.jsonl';
const registers = new Map<string, Register>();

/**
 * The register of one municipality's folder: read from its log once per process, then kept in memory. An append
 * per journalpost, not a rewrite of the whole register: the cost of numbering stays flat however many there are.
 */
function registerOf(municipalityDir: string): Register {
  let register = registers.get(municipalityDir);
  if (register) return register;
  register = { sequences: {}, folders: {}, folderCounts: {} };
  const file = join(municipalityDir, REGISTER_LOG);
  if (existsSync(file)) {
    const log = readFileSync(file, 'utf8');
    // Close a line a crash cut short, so the next entry starts on a line of its own.
    if (log.length > 0 && !log.endsWith('\n')) appendFileSync(file, '\n');
    for (const line of log.split('\n')) {
      if (!line) continue;
      let entry: Assignment;
      try {
        entry = JSON.parse(line) as Assignment;
      } catch {
        continue; // a line cut short by a crash: its delivery never got its folder, and numbers anew
      }
      apply(register, entry);
    }
  }
  registers.set(municipalityDir, register);
  return register;
}

function apply(register: Register, a: Assignment): void {
  const seq = register.sequences[a.year] ?? { sak: 0, journal: 0 };
  register.sequences[a.year] = seq;
  seq.sak = Math.max(seq.sak, Number(a.saksnummer.split('/')[1] ?? 0));
  seq.journal = Math.max(seq.journal, Number(a.journalnummer.split('/')[1] ?? 0));
  if (a.folderKey) register.folders[a.folderKey] = a.saksnummer;
  register.folderCounts[a.saksnummer] = Math.max(register.folderCounts[a.saksnummer] ?? 0, a.journalpostnummer);
}

/**
 * Synchronous on purpose: read-modify-append in one tick cannot interleave with another delivery in
 * the same process (the local runner). Not for concurrent processes; a real archive does this itself.
 */
function assignNumbers(municipalityDir: string, shipment: ArchiveShipment): References {
  mkdirSync(municipalityDir, { recursive: true });
  const register = registerOf(municipalityDir);
  const year = String(new Date().getFullYear());
  const seq = register.sequences[year] ?? { sak: 0, journal: 0 };
  const known = shipment.folderKey ? register.folders[shipment.folderKey] : undefined;
  const saksnummer = known ?? `${year}/${seq.sak + 1}`;
  const assignment: Assignment = {
    year,
    ...(shipment.folderKey ? { folderKey: shipment.folderKey } : {}),
    saksnummer,
    journalpostnummer: (register.folderCounts[saksnummer] ?? 0) + 1,
    journalnummer: `${year}/${seq.journal + 1}`,
  };
  appendFileSync(join(municipalityDir, REGISTER_LOG), `${JSON.stringify(assignment)}\n`);
  apply(register, assignment);
  return {
    saksnummer,
    journalpostnummer: String(assignment.journalpostnummer),
    dokumentreferanse: `${saksnummer}-${assignment.journalpostnummer}`,
    journalnummer: assignment.journalnummer,
    saksmappe: known ? 'Eksisterende' : 'Opprettet',
  };
}
