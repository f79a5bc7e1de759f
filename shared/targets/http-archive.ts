import type { HttpTransport } from '../config/types.ts';
import { PermanentDeliveryError } from '../delivery/errors.ts';
import { readFiksArkivAnswer } from './fiks-arkiv-receipt.ts';
import { isTransientStatus, postToTarget, type Secrets, TargetUnavailableError } from './http-client.ts';
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
    if (answer.status >= 200 && answer.status < 300) {
      if (parsed.kind === 'kvittering') return { references: parsed.references, existing: parsed.existing };
      if (parsed.kind === 'feil') {
        throw new PermanentDeliveryError(`Arkivet avviste arkivmeldingen (${parsed.type}): ${parsed.feilmelding}`);
      }
      // The archive may well have stored it; a retry is answered Eksisterende.
      throw new TargetUnavailableError(`Arkivet svarte HTTP ${answer.status} uten gyldig kvittering.`);
    }
    const words = parsed.kind === 'feil' ? `${parsed.type}: ${parsed.feilmelding}` : `HTTP ${answer.status}`;
    if (isTransientStatus(answer.status) && !(parsed.kind === 'feil' && parsed.type === 'ugyldigforespoersel')) {
      throw new TargetUnavailableError(`Arkivet er ikke tilgjengelig (${words}).`);
    }
    if (answer.status === 401 || answer.status === 403) {
      throw new PermanentDeliveryError(
        `Arkivet avviste påloggingen (HTTP ${answer.status}). Sjekk nøkkelen for målet.`,
      );
    }
    throw new PermanentDeliveryError(`Arkivet avviste arkivmeldingen (${words}).`);
  }
}
