/** The arkivmelding formats an archive target can receive, and how each is written. */
import { toEFormidlingXml } from './eformidling.ts';
import { toFiksArkivV1Xml } from './fiks-arkiv-v1.ts';
import type { Arkivmelding } from './model.ts';

export type ArchiveFormat = 'fiks-arkiv-v1' | 'eformidling';

export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ['fiks-arkiv-v1', 'eformidling'];

const writers: Record<ArchiveFormat, (melding: Arkivmelding) => string> = {
  'fiks-arkiv-v1': toFiksArkivV1Xml,
  eformidling: toEFormidlingXml,
};

/** The arkivmelding as XML in the target's format. Throws ArchiveFormatError for a record the format cannot hold. */
export function writeArkivmelding(format: ArchiveFormat, melding: Arkivmelding): string {
  return writers[format](melding);
}
