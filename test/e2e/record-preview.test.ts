/**
 * The preview (`npm run map`) and the delivered record are the same bytes for the same submission: given the
 * delivered submission's trackingId and reception time, the preview writes exactly the arkivmelding the archive got,
 * and the form it rendered as the Hoveddokument is the file the archive got beside it (and the one kept in S3).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../../shared/config/registry.ts';
import { previewSubmission } from '../../shared/mapping/preview.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import { providerFor, sample, testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let savedSecret: string | undefined;

beforeAll(async () => {
  savedSecret = process.env.SKJEMAFLYT_FOLDER_KEY_SECRET;
  process.env.SKJEMAFLYT_FOLDER_KEY_SECRET = 'e2e-folder-key-secret-0123456789abcdef';
  t = await testHub();
});

afterAll(async () => {
  await t?.hub.stop();
  if (savedSecret === undefined) delete process.env.SKJEMAFLYT_FOLDER_KEY_SECRET;
  else process.env.SKJEMAFLYT_FOLDER_KEY_SECRET = savedSecret;
});

const done = (s: { status: string }) => s.status === 'DELIVERED' || s.status === 'FAILED';

describe('preview and delivery', () => {
  it('write the same arkivmelding, byte for byte, and the same rendered Hoveddokument', async () => {
    const withoutMain = structuredClone(await sample('tt-kort-soknad')) as any;
    withoutMain.submissionId = 'tt-kort-uten-hoveddokument';
    withoutMain.attachments = withoutMain.attachments.filter((a: { role: string }) => a.role !== 'main');
    // File names as people write them: a colon, æøå, two files with one name. The record's filnavn is the name
    // receive keeps (made safe, made distinct), in the preview as in the delivery.
    const building = structuredClone(await sample('soknad-tiltak-uten-ansvarsrett')) as any;
    building.attachments[1].filename = 'Situasjonsplan: Moafjæra 3.pdf';
    building.attachments[2].filename = 'Situasjonsplan: Moafjæra 3.pdf';
    const registry = buildRegistry(t.hub.config);

    for (const body of [withoutMain, building]) {
      const posted = await t.post(body, providerFor(body.formType));
      expect(posted.status).toBe(202);
      const { trackingId } = posted.body;
      const status = await t.waitFor(trackingId, providerFor(body.formType), done);
      expect(status.deliveries.find((d: any) => d.target.endsWith('arkiv'))?.status).toBe('DELIVERED');

      const folder = join(t.hub.archiveDir, body.municipality, trackingId);
      const delivered = await readFile(join(folder, 'arkivmelding.xml'), 'utf8');
      // The reception time the record carries (seconds, Oslo time) is all of it the record uses.
      const receivedAt = /<mottattDato>([^<]+)<\/mottattDato>/.exec(delivered)?.[1];
      expect(receivedAt).toBeDefined();
      const preview = await previewSubmission(registry, body, { trackingId, receivedAt: receivedAt as string });
      expect(preview.problems).toEqual([]);
      const previewed = preview.files.find((f) => f.filename === 'arkivmelding.xml')?.body;
      expect(previewed).toBe(delivered);

      if (body === building) expect(delivered).toContain('<filnavn>Situasjonsplan_ Moafjæra 3 (2).pdf</filnavn>');
      if (body === withoutMain) {
        // The rendered form: beside the record, and kept with the submission's documents; its checksum the record's.
        const pdf = await readFile(join(folder, 'tt-kort-soknad.pdf'));
        const sum = createHash('sha256').update(pdf).digest('hex');
        expect(delivered).toContain(`<sjekksum>${sum}</sjekksum>`);
        const kept = await t.hub.clients.s3.send(
          new GetObjectCommand({
            Bucket: t.hub.resources.bucketName,
            Key: DocumentStore.documentKey(trackingId, 'rendered/tt-kort-soknad.pdf'),
          }),
        );
        const keptBytes = Buffer.from((await kept.Body?.transformToByteArray()) ?? []);
        expect(Buffer.compare(keptBytes, pdf)).toBe(0);
      }
    }
  });
});
