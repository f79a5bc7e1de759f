import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedValidators, VALIDATORS_DIR } from '../../infra/codegen/validators.ts';
import validateSubmission from '../../shared/validators/submission.js';

describe('the validators compiled at build time (shared/validators/)', () => {
  it('are what the schemas and the installed ajv generate today (else: npm run generate:validators)', async () => {
    const stale: string[] = [];
    for (const [name, content] of await generatedValidators()) {
      const committed = await readFile(join(VALIDATORS_DIR, name), 'utf8').catch(() => '');
      if (committed !== content) stale.push(name);
    }
    expect(stale, 'out of date: run npm run generate:validators').toEqual([]);
  });

  it('check formats through ajv-formats, as ES modules', () => {
    const envelope = {
      submissionId: 'a1',
      formType: 'tt-kort',
      municipality: '3001',
      submittedAt: 'not a time',
      submitter: { name: 'Ola', email: 'not an address' },
      formData: { contentType: 'application/json', content: '{}' },
    };
    expect(validateSubmission(envelope)).toBe(false);
    expect(validateSubmission.errors?.filter((e) => e.keyword === 'format').map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/submittedAt', '/submitter/email']),
    );
  });
});
