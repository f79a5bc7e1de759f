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
  /** The target's id (a transport that needs a stable id per delivery derives it from trackingId and target) */
  targetId?: string;
}

export interface ArchiveReceipt {
  references: References;
  /** The archive already had this journalpost (de-duplicated on referanseEksternNoekkel) */
  existing: boolean;
}

/**
 * What an archive that answers later (Fiks IO) gives back at once: the id of the message sent, and until when its
 * receipt may take before the hub sends again.
 */
export interface ArchiveSent {
  kind: 'sent';
  messageId: string;
  receiptDeadline: string;
}

/** One adapter per archive system or transport. */
export interface ArchiveTargetAdapter {
  send(shipment: ArchiveShipment): Promise<ArchiveReceipt | ArchiveSent>;
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
