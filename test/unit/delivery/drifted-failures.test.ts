import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainFailure } from '../../../shared/admin/explain.ts';
import { loadHubConfig } from '../../../shared/config/load.ts';
import { buildRegistry } from '../../../shared/config/registry.ts';
import type { FormType, Target } from '../../../shared/config/types.ts';
import { deliverToArchive } from '../../../shared/delivery/archive-delivery.ts';
import { toFailure } from '../../../shared/delivery/failures.ts';
import type { DeliveryDeps, DeliveryJob } from '../../../shared/delivery/process.ts';
import { parseFormData } from '../../../shared/submission/form-data.ts';
import type { SubmissionEnvelope } from '../../../shared/submission/types.ts';
import { sample } from '../../support/hub.ts';

/**
 * The two failures whose stored text had drifted from what the regex explainer expected (issue 12): both went
 * back to staff as "unknown, retrying helps". Produced here by the real archive deliverer, stored as the delivery
 * stores them, and explained.
 */
async function archiveFailure(
  change: (envelope: Record<string, unknown>, xml: string) => string,
  documents: Record<string, unknown>[] = [],
) {
  const registry = buildRegistry(await loadHubConfig('config'));
  const formType = registry.formType('3101', 'tt-kort-soknad') as FormType;
  // A file drop into a fresh folder: nothing is written where the local hub keeps its archive.
  const dir = await mkdtemp(join(tmpdir(), 'drifted-'));
  const target = { ...registry.target('halden-arkiv'), transport: { type: 'file-drop', dir } } as Target;
  const { attachments: _a, ...envelope } = (await sample('tt-kort-soknad')) as unknown as SubmissionEnvelope;
  const content = change(envelope as unknown as Record<string, unknown>, envelope.formData.content);
  const input = {
    trackingId: '6f1c7c1e-0000-4000-8000-000000000001',
    receivedAt: '2026-11-24T09:15:00.000Z',
    envelope: { ...envelope, formData: { ...envelope.formData, content } },
    formData: parseFormData(envelope.formData.contentType, content).data,
  };
  const job = {
    submission: { trackingId: input.trackingId, municipality: '3101', documents },
    target,
    formType,
    input,
  } as unknown as DeliveryJob;
  const deps = {
    documents: { get: async () => new Uint8Array() },
    secrets: { get: async () => undefined },
  } as unknown as DeliveryDeps;
  const error = await deliverToArchive(job, deps).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the deliverer should have failed').toBeDefined();
  const failure = toFailure(error);
  return { failure, explanation: explainFailure({ failure, formType, target }) };
}

describe('failures that had drifted from the explainer', () => {
  it('an arkivmelding the XSD refuses is explained as such, and retrying does not help', async () => {
    // A stored document whose recorded size the schema cannot hold (filstoerrelse is a non-negative xs:int).
    const document = {
      filename: 'soknad.pdf',
      contentType: 'application/pdf',
      role: 'main',
      title: 'Søknad',
      key: 'submissions/x/documents/soknad.pdf',
      size: -1,
      sha256: 'a'.repeat(64),
    };
    const { failure, explanation } = await archiveFailure((_, xml) => xml, [document]);
    expect(failure.code).toBe('xsd-invalid');
    expect(failure.retryable).toBe(false);
    expect(explanation.kind).toBe('xsd');
    expect(explanation.retryHelps).toBe(false);
  });

  it('a record field that came out empty is a mapping failure naming the field, and retrying does not help', async () => {
    const { failure, explanation } = await archiveFailure((_, xml) =>
      xml
        .replace(/<fornavn>[^<]*<\/fornavn>/, '<fornavn> </fornavn>')
        .replace(/<etternavn>[^<]*<\/etternavn>/, '<etternavn/>'),
    );
    expect(failure.code).toBe('mapping-failed');
    expect(failure.retryable).toBe(false);
    expect(explanation).toMatchObject({ kind: 'mapping', retryHelps: false });
    expect(explanation.summary).toMatch(/ble tom/);
    expect(explanation.field?.formFields).toEqual(expect.arrayContaining(['soker.fornavn', 'soker.etternavn']));
  });
});
