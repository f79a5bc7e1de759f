import type { FolderLookup } from '../delivery/lifecycle.ts';
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
  /**
   * The form type reuses its case folder (the person's, the property's): its external key, and what the archive
   * answered when asked for it this round (a transport that can ask, Fiks IO, asks before it files).
   */
  reusedFolder?: { key: { fagsystem: string; noekkel: string }; lookup?: FolderLookup };
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
  /** The message sent was the lookup of a reused folder, not the record */
  step?: 'folder-lookup';
  /** The account it went to (only its replies count) */
  recipient?: string;
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
