import type { References } from '../store/records.ts';
import type { SubmissionEnvelope } from '../submission/types.ts';
import type { Data } from './values.ts';

/** What a mapping reads: the parsed form data, plus the envelope's fields under reserved names. */
export interface MappingInput {
  trackingId: string;
  receivedAt: string;
  envelope: Omit<SubmissionEnvelope, 'attachments'>;
  formData: Record<string, unknown>;
  /** Model 3: the archive delivery's references (saksnummer, journalpostnummer …) */
  archive?: References;
}

export function mappingData(input: MappingInput): Data {
  const { envelope } = input;
  return {
    ...input.formData,
    trackingId: input.trackingId,
    submissionId: envelope.submissionId,
    formType: envelope.formType,
    municipality: envelope.municipality,
    submittedAt: envelope.submittedAt,
    receivedAt: input.receivedAt,
    submitter: envelope.submitter,
    archive: input.archive ?? {},
  };
}
