import type { References } from '../store/records.ts';

export interface OutgoingFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** What an archive target receives: one arkivmelding with the documents it names. */
export interface ArchiveShipment {
  kommunenummer: string;
  trackingId: string;
  arkivmeldingXml: string;
  files: OutgoingFile[];
  /** The case folder's external key, when the record files into an existing folder */
  folderKey?: string;
}

export interface ArchiveReceipt {
  references: References;
  /** The archive already had this journalpost (de-duplicated on referanseEksternNoekkel) */
  existing: boolean;
}

/** One adapter per archive system or transport. */
export interface ArchiveTargetAdapter {
  send(shipment: ArchiveShipment): Promise<ArchiveReceipt>;
}

export interface FagsystemShipment {
  system: string;
  trackingId: string;
  contentType: string;
  extension: string;
  body: string;
}

export interface FagsystemTargetAdapter {
  send(shipment: FagsystemShipment): Promise<{ references: References }>;
}
