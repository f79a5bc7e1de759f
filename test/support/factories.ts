import { loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry, type Registry } from '../../shared/config/registry.ts';
import type { DeliveryStatus } from '../../shared/delivery/lifecycle.ts';
import type { MappingInput } from '../../shared/mapping/context.ts';
import { storedDocuments } from '../../shared/mapping/preview.ts';
import type { DeliveryRecord } from '../../shared/store/records.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';
import type { StoredDocument, SubmissionEnvelope } from '../../shared/submission/types.ts';
import { type Sample, sample } from './hub.ts';

/**
 * The values many tests build: a submission as a provider posts it, what a mapping reads, a delivery as the store
 * keeps it, the demo configuration. Start from these and override what the test is about.
 */

let posted = 0;
/** A sample (test/fixtures/samples) as a new submission: a submissionId of its own, `<prefix>-<n>`. */
export async function newSubmission(
  name: string,
  prefix: string,
  overrides: Record<string, unknown> = {},
): Promise<Sample> {
  return { ...(await sample(name)), submissionId: `${prefix}-${++posted}`, ...overrides };
}

/** What a mapping reads from a submission, and the documents receive would have stored for it. */
export function mappingInput(
  body: Sample | SubmissionEnvelope,
  overrides: Partial<Pick<MappingInput, 'trackingId' | 'receivedAt' | 'archive'>> = {},
): { input: MappingInput; documents: StoredDocument[] } {
  const { attachments: _, ...envelope } = body as SubmissionEnvelope;
  const input: MappingInput = {
    trackingId: '6f1c7c1e-0000-4000-8000-000000000001',
    receivedAt: envelope.submittedAt,
    envelope,
    formData: parseFormData(envelope.formData.contentType, envelope.formData.content).data,
    ...overrides,
  };
  return { input, documents: storedDocuments(body as SubmissionEnvelope) };
}

/** A delivery as the store keeps it: TT-kort to Halden's archive, QUEUED, unless told otherwise. */
export function deliveryRecord(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const trackingId = overrides.trackingId ?? '6f1c7c1e-0000-4000-8000-000000000001';
  const target = overrides.target ?? 'halden-arkiv';
  const status: DeliveryStatus = overrides.status ?? 'QUEUED';
  const at = overrides.updatedAt ?? '2026-11-24T10:00:00.000Z';
  return {
    id: `${trackingId}.${target}`,
    trackingId,
    target,
    targetKind: 'archive',
    municipality: '3101',
    formType: 'tt-kort-soknad',
    status,
    attempts: 0,
    references: {},
    history: [{ at, status, detail: '' }],
    updatedAt: at,
    ...overrides,
  };
}

let demo: Promise<Registry> | undefined;
/** The demo configuration (config/), loaded once per test file. */
export function demoRegistry(): Promise<Registry> {
  demo ??= loadHubConfig().then(buildRegistry);
  return demo;
}
