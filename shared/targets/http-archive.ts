import type { HttpTransport } from '../config/types.ts';
import { fail } from '../delivery/failures.ts';
import { readFiksArkivAnswer } from './fiks-arkiv-receipt.ts';
import { isTransientStatus, postToTarget, type Secrets } from './http-client.ts';
import type { ArchiveReceipt, ArchiveShipment, ArchiveTargetAdapter } from './types.ts';

/**
 * An archive behind HTTP: the arkivmelding and its documents in one multipart/form-data POST, answered with a
 * Fiks Arkiv V1 `arkivmeldingKvittering` or one of the protocol's error messages. The archive de-duplicates on
 * the journalpost's referanseEksternNoekkel, so a re-sent record answers Eksisterende, which is a success.
 */
export class HttpArchive implements ArchiveTargetAdapter {
  private readonly transport: HttpTransport;
  private readonly secrets: Secrets;

  constructor(transport: HttpTransport, secrets: Secrets) {
    this.transport = transport;
    this.secrets = secrets;
  }

  async send(shipment: ArchiveShipment): Promise<ArchiveReceipt> {
    const form = new FormData();
    form.append('arkivmelding', new Blob([shipment.arkivmeldingXml], { type: 'application/xml' }), 'arkivmelding.xml');
    for (const file of shipment.files) {
      form.append('dokument', new Blob([file.bytes], { type: file.contentType }), file.filename);
    }
    const answer = await postToTarget(
      'archive',
      this.transport,
      form,
      {
        accept: 'application/xml',
        'idempotency-key': shipment.trackingId,
        'x-skjemaflyt-tracking-id': shipment.trackingId,
      },
      this.secrets,
    );
    const parsed = readFiksArkivAnswer(answer.body);
    const status = answer.status;
    if (parsed.kind === 'feil') {
      const details = { errorType: parsed.type, targetMessage: parsed.feilmelding, status };
      // serverfeil is the archive's own trouble: try again. The others are about this record: a person must act.
      if (parsed.type === 'serverfeil' || (isTransientStatus(status) && parsed.type !== 'ugyldigforespoersel')) {
        throw fail.serverError(
          'archive',
          `Arkivet meldte en feil hos seg selv (${parsed.type}): ${parsed.feilmelding}`,
          details,
        );
      }
      throw fail.rejected('archive', `Arkivet avviste arkivmeldingen (${parsed.type}): ${parsed.feilmelding}`, details);
    }
    if (status >= 200 && status < 300) {
      if (parsed.kind === 'kvittering') return { references: parsed.references, existing: parsed.existing };
      // The archive may well have stored it; a retry is answered Eksisterende.
      throw fail.unavailable('archive', `Arkivet svarte HTTP ${status} uten gyldig kvittering.`, {
        reason: 'no-valid-receipt',
        status,
      });
    }
    if (isTransientStatus(status)) {
      throw fail.unavailable('archive', `Arkivet er ikke tilgjengelig (HTTP ${status}).`, { reason: 'status', status });
    }
    if (status === 401 || status === 403) throw fail.authRefused('archive', status);
    throw fail.rejected('archive', `Arkivet avviste arkivmeldingen (HTTP ${status}).`, {
      errorType: `HTTP ${status}`,
      status,
    });
  }
}
