/**
 * An archive system on KS Fiks IO, spoken to in Fiks Arkiv V1: the arkivmelding and each document (named exactly
 * as its referanseDokumentfil) packed, signed and encrypted for the archive's account, sent as
 * `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett`. The answer comes later, on the hub's own queue (see
 * shared/delivery/fiks-io-replies.ts): the delivery waits as SENT until the receipt's deadline.
 *
 * Every attempt for one delivery carries the same `klientMeldingId`, so the archive (and a person reading its
 * log) can tell a retry from a new record; the archive de-duplicates on the journalpost's referanseEksternNoekkel.
 *
 * A form type that reuses its case folder (the person's TT-kort folder, the property's building folder) first asks
 * the archive `no.ks.fiks.arkiv.v1.innsyn.mappe.hent` by the folder's external key, as KS's own integration tests
 * do (OpprettEllerHentSaksmappe): that is a step of its own (the delivery waits as SENT for the answer; see
 * shared/delivery/fiks-io-replies.ts). With the answer stored on the delivery, the next send files the journalpost
 * into the mappe found (`referanseForelderMappe` by its systemID), or, on `ikkefunnet`, sends the new mappe with the
 * journalpost in one message (the spec's NyMappeMedJournalpost).
 */
import { createHash } from 'node:crypto';
import type { FiksIoTransport } from '../config/types.ts';
import { DeliveryFailure, fail } from '../delivery/failures.ts';
import { FiksIoError } from '../fiks-io/client.ts';
import {
  ArkivmeldingShapeError,
  FIKS_ARKIV_PROTOKOLL,
  fileIntoExistingMappe,
  MeldingType,
  mappeHentXml,
  PayloadFil,
} from '../fiks-io/fiks-arkiv.ts';
import { MaskinportenError } from '../fiks-io/maskinporten.ts';
import { validateFiksArkivV1 } from '../noark/validate.ts';
import { type FiksIoConnection, fiksIoConnection, type SecretReader } from './fiks-io-connection.ts';
import type { ArchiveSent, ArchiveShipment, ArchiveTargetAdapter } from './types.ts';

export const DEFAULT_TTL_HOURS = 48;
export const DEFAULT_RECEIPT_TIMEOUT_SECONDS = 3600;
/** How long a looked-up archive account is reused before asking the catalog again. */
const LOOKUP_CACHE_MS = 10 * 60 * 1000;

export interface FiksIoArchiveOptions {
  /** The transport's certificates, keys and password (used by the default `connect`) */
  secrets?: SecretReader;
  connect?: (transport: FiksIoTransport) => Promise<FiksIoConnection>;
  now?: () => number;
}

export class FiksIoArchive implements ArchiveTargetAdapter {
  private readonly transport: FiksIoTransport;
  private readonly connect: (transport: FiksIoTransport) => Promise<FiksIoConnection>;
  private readonly now: () => number;
  private lookedUp: { kontoId: string; until: number } | undefined;

  constructor(transport: FiksIoTransport, options: FiksIoArchiveOptions = {}) {
    this.transport = transport;
    const secrets = options.secrets;
    this.connect =
      options.connect ??
      ((t) => {
        if (!secrets) throw new Error('FiksIoArchive needs secrets or connect');
        return fiksIoConnection(t, secrets);
      });
    this.now = options.now ?? Date.now;
  }

  async send(shipment: ArchiveShipment): Promise<ArchiveSent> {
    const connection = await this.connect(this.transport);
    const folder = shipment.reusedFolder;
    // Checked before anything is sent: a record that cannot file into the folder found fails as the record's fault.
    const arkivmeldingXml = folder?.lookup?.found
      ? await intoExistingMappe(shipment.arkivmeldingXml, folder.lookup.systemID)
      : shipment.arkivmeldingXml;
    try {
      const mottakerKontoId = await this.archiveAccount(connection);
      const ttlMs = (this.transport.ttlHours ?? DEFAULT_TTL_HOURS) * 3600 * 1000;
      const wait = this.transport.receiptTimeoutSeconds ?? DEFAULT_RECEIPT_TIMEOUT_SECONDS;
      const receiptDeadline = new Date(this.now() + wait * 1000).toISOString();
      if (folder && !folder.lookup) {
        const asked = await connection.sender.send({
          mottakerKontoId,
          meldingType: MeldingType.mappeHent,
          files: [{ name: PayloadFil.mappeHent, data: Buffer.from(mappeHentXml(SYSTEM, folder.key), 'utf8') }],
          ttlMs,
          klientMeldingId: klientMeldingId(shipment, 'mappe-hent'),
        });
        return {
          kind: 'sent',
          messageId: asked.meldingId,
          receiptDeadline,
          step: 'folder-lookup',
          recipient: mottakerKontoId,
        };
      }
      const sent = await connection.sender.send({
        mottakerKontoId,
        meldingType: MeldingType.arkivmeldingOpprett,
        files: [
          { name: PayloadFil.arkivmelding, data: Buffer.from(arkivmeldingXml, 'utf8') },
          ...shipment.files.map((f) => ({ name: f.filename, data: f.bytes, mimeType: f.contentType })),
        ],
        ttlMs,
        klientMeldingId: klientMeldingId(shipment),
      });
      return { kind: 'sent', messageId: sent.meldingId, receiptDeadline, recipient: mottakerKontoId };
    } catch (error) {
      throw asDeliveryFailure(error);
    }
  }

  /** The archive's account: configured, or found in the catalog by organisation number and protocol. */
  private async archiveAccount(connection: FiksIoConnection): Promise<string> {
    const archive = this.transport.archive;
    if ('kontoId' in archive) return archive.kontoId;
    if (this.lookedUp && this.now() < this.lookedUp.until) return this.lookedUp.kontoId;
    const konto = await connection.api.lookup({
      identifikator: `ORG_NO.${archive.organisasjonsnummer}`,
      meldingProtokoll: FIKS_ARKIV_PROTOKOLL,
      sikkerhetsniva: archive.sikkerhetsniva,
    });
    if (!konto) {
      throw fail.configuration(
        'target',
        `ORG_NO.${archive.organisasjonsnummer}`,
        `Fant ingen Fiks IO-konto for Fiks Arkiv hos organisasjonsnummer ${archive.organisasjonsnummer} ` +
          `(sikkerhetsnivå ${archive.sikkerhetsniva}).`,
      );
    }
    this.lookedUp = { kontoId: konto.kontoId, until: this.now() + LOOKUP_CACHE_MS };
    return konto.kontoId;
  }
}

/** The asking system named in a lookup (mappeHent.system). */
const SYSTEM = 'Skjemaflyt';

/**
 * The arkivmelding filed into the mappe the archive has: the new mappe left out, the journalpost pointing at the
 * mappe's systemID; checked against the official XSD like every record the hub sends.
 */
async function intoExistingMappe(xml: string, systemID: string): Promise<string> {
  let changed: string;
  try {
    changed = fileIntoExistingMappe(xml, systemID);
  } catch (error) {
    if (!(error instanceof ArkivmeldingShapeError)) throw error;
    throw new DeliveryFailure(
      'record-format',
      `Arkivmeldingen kan ikke arkiveres i saksmappen arkivet fant: ${error.message}`,
      { format: 'fiks-arkiv-v1', reason: error.message },
    );
  }
  const checked = await validateFiksArkivV1(changed);
  if (!checked.valid) {
    throw new DeliveryFailure('xsd-invalid', 'Arkivmeldingen er ikke gyldig etter fiks-arkiv-v1-skjemaet (XSD).', {
      format: 'fiks-arkiv-v1',
      errors: checked.errors.slice(0, 3).map((e) => ({ ...(e.line ? { line: e.line } : {}), message: e.message })),
    });
  }
  return changed;
}

/**
 * The same for every attempt of one delivery (trackingId and target), and a UUID as KS's clients send it: a
 * name-based id (RFC 9562 version 8, from SHA-256), so no state is needed to reuse it. A lookup of the delivery's
 * folder gets its own (`purpose`), so a person reading the archive's log tells the question from the record.
 */
export function klientMeldingId(shipment: Pick<ArchiveShipment, 'trackingId' | 'targetId'>, purpose?: string): string {
  const hash = createHash('sha256')
    .update(`skjemaflyt:${shipment.trackingId}:${shipment.targetId ?? ''}${purpose ? `:${purpose}` : ''}`)
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x80;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Fiks IO's and Maskinporten's errors as the delivery's typed failures. */
export function asDeliveryFailure(error: unknown): unknown {
  if (error instanceof DeliveryFailure) return error;
  if (error instanceof FiksIoError) {
    const status = error.status;
    switch (error.code) {
      case 'fiksio_unauthorized':
        return fail.authRefused('archive', status);
      case 'fiksio_not_found':
        // The archive's account is gone, or has no public key in the catalog: the configuration must change.
        return fail.configuration('target', 'Fiks IO', `Arkivets Fiks IO-konto finnes ikke eller mangler nøkkel.`);
      case 'fiksio_refused':
        return fail.rejected('archive', `Fiks IO avviste meldingen${status ? ` (HTTP ${status})` : ''}.`, {
          errorType: status ? `HTTP ${status}` : 'fiksio_refused',
          ...(status ? { status } : {}),
          targetMessage: error.message.slice(0, 300),
        });
      default:
        return fail.unavailable(
          'archive',
          `Fiks IO er ikke tilgjengelig${status ? ` (HTTP ${status})` : ''}.`,
          { reason: status ? 'status' : 'network', ...(status ? { status } : {}) },
          error,
        );
    }
  }
  if (error instanceof MaskinportenError) {
    if (!error.retryable) return fail.authRefused('archive', error.status);
    return fail.unavailable(
      'archive',
      'Maskinporten er ikke tilgjengelig.',
      { reason: error.status ? 'status' : 'network', ...(error.status ? { status: error.status } : {}) },
      error,
    );
  }
  return error;
}
