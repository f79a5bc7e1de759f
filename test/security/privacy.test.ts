import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/runtime/logger.ts';
import { REDACTED, redact, redactText } from '../../shared/runtime/redact.ts';

describe('redaction', () => {
  it('scrubs fødselsnummer-shaped numbers and e-mail addresses from text, not other numbers', () => {
    expect(redactText('fnr 12035440095, D-nr 410180 00049, mail ola.saether@example.no')).toBe(
      'fnr [fnr], D-nr [fnr], mail [e-post]',
    );
    expect(redactText('trackingId 3f2c9b1e-0000-4000-8000-000000000001 at 1764067200000, orgnr 940000017')).toBe(
      'trackingId 3f2c9b1e-0000-4000-8000-000000000001 at 1764067200000, orgnr 940000017',
    );
    // A request id whose last group is 11 digits and a letter stays whole (operators search logs by it), while
    // a fødselsnummer right beside it is still scrubbed.
    expect(redactText('request 01229ce7-7c8b-42a3-b3a5-12035440095c for 12035440095')).toBe(
      'request 01229ce7-7c8b-42a3-b3a5-12035440095c for [fnr]',
    );
  });

  it('blanks fields that hold personal data by their name, however deep', () => {
    expect(
      redact({
        trackingId: 't-1',
        submitter: { name: 'Åse' },
        soker: { fornavn: 'Åse' },
        headers: { Authorization: 'Bearer x', 'content-type': 'application/json' },
        note: 'Søker 12035440095',
      }),
    ).toEqual({
      trackingId: 't-1',
      submitter: REDACTED,
      soker: REDACTED,
      headers: { Authorization: REDACTED, 'content-type': 'application/json' },
      note: 'Søker [fnr]',
    });
  });
});

describe('the functions’ logger', () => {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  beforeEach(() => {
    const capture = ((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
  });
  afterEach(() => {
    process.stdout.write = out;
    process.stderr.write = err;
  });

  it('never writes a name, address, fødselsnummer or error message, even when handed them', () => {
    const logger = createLogger('privacy-test');
    logger.info('Mottatt søknad fra 12035440095', {
      trackingId: 'a7d6',
      name: 'Åse Marie Østby-Lærum',
      address: { street: 'Storgata 12 B' },
      event: { body: '{"submitter":{"name":"Åse"}}', headers: { authorization: 'Bearer eyJ' } },
    });
    logger.error('Delivery failed', new Error('Ugyldig verdi for Åse Marie Østby-Lærum (12035440095)'));
    const log = lines.join('');
    expect(log).toContain('a7d6');
    expect(log).toContain('privacy-test');
    for (const secret of ['12035440095', 'Østby-Lærum', 'Storgata', 'Åse', 'eyJ']) expect(log).not.toContain(secret);
    const error = JSON.parse(lines.at(-1) ?? '{}').error;
    expect(error.errorName).toBe('Error');
    expect(error.frames).toContain('privacy.test.ts');
  });
});
