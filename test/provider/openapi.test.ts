import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES, generateClientTypes } from '../../infra/codegen/openapi-client.ts';
import validateEnvelope from '../../shared/validators/submission.js';
import { contract, loadOpenApi } from './support/contract.ts';

/** schemas/openapi.yaml as a provider's tooling reads it: lint-clean, the client generated from it kept current. */
const REPO = resolve(import.meta.dirname, '../..');

describe('the API description', () => {
  it('Spectral’s OpenAPI ruleset finds nothing: no error, no warning', async () => {
    const cli = resolve(REPO, 'node_modules/@stoplight/spectral-cli/dist/index.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'lint', 'schemas/openapi.yaml', '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet'],
      { cwd: REPO },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const results = JSON.parse(stdout || '[]') as { code: string; message: string; path: string[] }[];
    expect(results.map((r) => `${r.code}: ${r.message} at ${r.path.join('.')}`)).toEqual([]);
  }, 120_000);

  it('the client types in test/provider/generated are what openapi-typescript makes of it now', async () => {
    const committed = await readFile(CLIENT_TYPES, 'utf8');
    expect(committed === (await generateClientTypes()), 'run npm run generate:client').toBe(true);
  }, 60_000);

  it('the envelope in it is schemas/submission.schema.json, and its example is a valid envelope', async () => {
    const doc = loadOpenApi();
    const {
      $schema: _s,
      $id: _i,
      ...envelope
    } = JSON.parse(await readFile(resolve(REPO, 'schemas/submission.schema.json'), 'utf8'));
    expect(doc.components.schemas.Submission).toEqual(envelope);
    const examples = doc.paths['/v1/submissions'].post.requestBody.content['application/json'].examples;
    for (const { value } of Object.values(examples) as { value: unknown }[]) {
      expect(validateEnvelope(value), JSON.stringify(validateEnvelope.errors)).toBe(true);
    }
  });

  it('every operation has an operationId and tags that are declared', () => {
    const doc = loadOpenApi();
    const declared = new Set(doc.tags.map((t: { name: string }) => t.name));
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item as object));
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      for (const tag of op.tags) expect(declared.has(tag)).toBe(true);
    }
  });

  it('the answers’ check refuses what breaks the description (so the e2e checks can fail)', () => {
    const check = contract();
    expect(check('/v1/submissions', 'POST', 202, { trackingId: 'x' })).not.toEqual([]);
    expect(check('/v1/submissions', 'POST', 409, { type: 'x', title: 't', status: 409 })).not.toEqual([]);
    expect(check.schema('DeliveryStatusEvent', { id: 'x' })).not.toEqual([]);
  });
});
