import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample, testHub } from '../support/hub.ts';
import type { components, paths } from './generated/openapi.ts';
import { contract } from './support/contract.ts';

/**
 * An attachment larger than the 5 MB request allows, through a pre-signed upload: announced with its size and
 * SHA-256, PUT to the URL (fauxqs plays S3), named in the envelope, checked at receive, archived byte for byte.
 */
type Submission = components['schemas']['Submission'];
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
const check = contract();

beforeAll(async () => {
  t = await testHub();
});

afterAll(async () => {
  await t?.hub.stop();
});

/** A 6 MB "PDF": more than one request may carry inline, base64 or not. */
const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(6 * 1024 * 1024), Buffer.from('\n%%EOF\n')]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function api(provider = 'eskjema') {
  const token = await t.token({ provider, municipality: '3101' });
  return createClient<paths>({ baseUrl: t.hub.url, headers: { authorization: `Bearer ${token}` } });
}

async function upload(bytes: Buffer, declared = { size: bytes.byteLength, sha256: sha256(bytes) }, put = bytes) {
  const client = await api();
  const created = await client.POST('/v1/uploads', { body: { contentType: 'application/pdf', ...declared } });
  expect(created.response.status).toBe(201);
  expect(check('/v1/uploads', 'POST', 201, created.data)).toEqual([]);
  const { uploadId, uploadUrl, headers } = created.data ?? { uploadId: '', uploadUrl: '', headers: {} };
  const stored = await fetch(uploadUrl, { method: 'PUT', headers, body: put });
  expect(stored.ok).toBe(true);
  return uploadId;
}

async function envelope(submissionId: string, uploadId: string): Promise<Submission> {
  const tt = (await sample('tt-kort-soknad')) as unknown as Submission;
  return {
    ...tt,
    submissionId,
    attachments: [
      ...(tt.attachments ?? []),
      { filename: 'stor-legeerklaering.pdf', contentType: 'application/pdf', role: 'attachment', uploadId },
    ],
  };
}

describe('large attachments through an upload', () => {
  it('is accepted, delivered, and archived byte for byte; a repeat is the same receipt', async () => {
    const uploadId = await upload(big);
    const client = await api();
    const body = await envelope('upload-1', uploadId);
    const submitted = await client.POST('/v1/submissions', { body });
    expect(submitted.response.status).toBe(202);
    const trackingId = submitted.data?.trackingId ?? '';
    const status = await t.waitFor(trackingId, 'eskjema', (s) => s.status === 'DELIVERED', 60_000);
    expect(status.status).toBe('DELIVERED');
    const folder = join(t.hub.archiveDir, '3101', trackingId);
    const files = await readdir(folder);
    const archived = files.find((f) => f.startsWith('stor-legeerklaering'));
    expect(archived).toBeDefined();
    expect(sha256(await readFile(join(folder, archived ?? '')))).toBe(sha256(big));

    const repeat = await client.POST('/v1/submissions', { body });
    expect(repeat.response.status).toBe(200);
    expect(repeat.data?.trackingId).toBe(trackingId);
  }, 90_000);

  it('bytes that are not the ones declared are refused, naming the attachment’s uploadId', async () => {
    const other = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1024)]);
    const client = await api();
    const cases = [
      // Another file than the hash declared
      { uploadId: await upload(other, { size: other.byteLength, sha256: sha256(big) }), code: 'upload-hash-mismatch' },
      // Another size than declared
      {
        uploadId: await upload(other, { size: other.byteLength + 1, sha256: sha256(other) }),
        code: 'upload-size-mismatch',
      },
    ];
    for (const [i, c] of cases.entries()) {
      const refused = await client.POST('/v1/submissions', { body: await envelope(`upload-bad-${i}`, c.uploadId) });
      expect(refused.response.status).toBe(400);
      expect(check('/v1/submissions', 'POST', 400, refused.error)).toEqual([]);
      expect(refused.error?.errors).toEqual([
        expect.objectContaining({ path: '/attachments/2/uploadId', code: c.code }),
      ]);
    }
  });

  it('an upload never PUT, or another provider’s, or one that does not exist, is refused', async () => {
    const client = await api();
    const announced = await client.POST('/v1/uploads', {
      body: { contentType: 'application/pdf', size: big.byteLength, sha256: sha256(big) },
    });
    const notPut = await client.POST('/v1/submissions', {
      body: await envelope('upload-missing', announced.data?.uploadId ?? ''),
    });
    expect(notPut.error?.errors[0]).toMatchObject({ path: '/attachments/2/uploadId', code: 'upload-missing' });
    const ours = await upload(big);
    const intranet = createClient<paths>({
      baseUrl: t.hub.url,
      headers: { authorization: `Bearer ${await t.token({ provider: 'halden-intranett', municipality: '3101' })}` },
    });
    const a = (await sample('a-skjema-tilsetting')) as unknown as Submission;
    const theirs = await intranet.POST('/v1/submissions', {
      body: {
        ...a,
        submissionId: 'upload-foreign',
        attachments: [{ filename: 'x.pdf', contentType: 'application/pdf', role: 'main', uploadId: ours }],
      },
    });
    expect(theirs.response.status).toBe(400);
    expect(theirs.error?.errors[0]).toMatchObject({ path: '/attachments/0/uploadId', code: 'unknown-upload' });
  });

  it('an upload over 20 MB is 413 before anything is stored; a bad declaration is 400 naming the fields', async () => {
    const client = await api();
    const tooBig = await client.POST('/v1/uploads', {
      body: { contentType: 'application/pdf', size: 20 * 1024 * 1024 + 1, sha256: sha256(big) },
    });
    expect(tooBig.response.status).toBe(413);
    expect(check('/v1/uploads', 'POST', 413, tooBig.error)).toEqual([]);
    const bad = await client.POST('/v1/uploads', {
      body: { contentType: 'pdf', size: 0, sha256: 'abc' },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.errors.map((e) => e.path).sort()).toEqual(['/contentType', '/sha256', '/size']);
  });
});
