import type { Target } from '../config/types.ts';
import { DocumentStore } from '../store/documents.ts';

/**
 * What a delivery produced for its target (the arkivmelding, the specialist system's payload), kept beside the
 * submission so staff can see exactly what was sent or refused. One file per delivery, named by the target's
 * kind and format: `submissions/<trackingId>/deliveries/<targetId>/<arkivmelding.xml | payload.json | payload.xml>`.
 * It holds personal data like the rest of the submission, and the retention rule deletes it with the rest.
 */
export interface ProducedFile {
  filename: string;
  contentType: 'application/xml' | 'application/json';
}

export function producedFile(target: Target): ProducedFile {
  if (target.kind === 'archive') return { filename: 'arkivmelding.xml', contentType: 'application/xml' };
  return target.payloadFormat === 'json'
    ? { filename: 'payload.json', contentType: 'application/json' }
    : { filename: 'payload.xml', contentType: 'application/xml' };
}

export function producedKey(trackingId: string, target: Target): string {
  return DocumentStore.producedKey(trackingId, target.id, producedFile(target).filename);
}
