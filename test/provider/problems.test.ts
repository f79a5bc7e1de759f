import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskinportenSigningKey } from '../security/fixtures/maskinporten.ts';
import { sample, testHub } from '../support/hub.ts';

/** Problem details a program can act on: one type URI per kind of error, a code per field, RFC 6750 on 401. */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;

beforeAll(async () => {
  t = await testHub();
});

afterAll(async () => {
  await t?.hub.stop();
});

const TYPE = (name: string) => `https://skjemaflyt.no/problems/${name}`;

describe('problem types and field codes', () => {
  it('a missing token: 401 token-missing, and a Bearer challenge without an error', async () => {
    const response = await fetch(`${t.hub.url}/v1/submissions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="skjemaflyt"');
    expect(await response.json()).toMatchObject({ type: TYPE('token-missing'), status: 401 });
  });

  it('an expired token: 401 token-expired, and WWW-Authenticate says so (RFC 6750 invalid_token)', async () => {
    // A Maskinporten token as the local Maskinporten signs them, for a provider the hub knows, expired an hour ago.
    const keys = await maskinportenSigningKey(t.dataDir);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({
      scope: 'halden:skjemaflyt',
      client_id: 'eskjema-310123455',
      consumer: { authority: 'iso6523-actorid-upis', ID: '0192:959159092' },
    })
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
      .setIssuer(t.hub.maskinporten.issuer)
      .setAudience(t.hub.maskinporten.audience)
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(keys.privateKey);
    const response = await fetch(`${t.hub.url}/v1/submissions/0b6f0d3e-3f0e-4a4e-9a43-0c5c3f1f7a11`, {
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="skjemaflyt", error="invalid_token", error_description="The access token expired"',
    );
    expect(await response.json()).toMatchObject({ type: TYPE('token-expired') });
  });

  it('a forged token: 401 token-invalid, never "expired"', async () => {
    const response = await fetch(`${t.hub.url}/v1/submissions/0b6f0d3e-3f0e-4a4e-9a43-0c5c3f1f7a11`, {
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error_description="The access token is invalid"');
    expect(await response.json()).toMatchObject({ type: TYPE('token-invalid') });
  });

  it('not JSON: 400 invalid-json', async () => {
    const { status, body } = await t.post('{"submissionId": ');
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: TYPE('invalid-json'), errors: [{ path: '', code: 'invalid-json' }] });
  });

  it('field errors each have a code: required, invalid-checksum, invalid-format', async () => {
    const tt = await sample('tt-kort-soknad');
    const submitter = { ...(tt.submitter as object), nationalId: '12035440096' };
    const { submittedAt: _dropped, ...withoutTime } = tt;
    const { status, body } = await t.post({ ...withoutTime, submitter, municipality: '31x1' });
    expect(status).toBe(400);
    expect(body.type).toBe(TYPE('invalid-request'));
    const codes = Object.fromEntries(body.errors.map((e: { path: string; code: string }) => [e.path, e.code]));
    expect(codes).toMatchObject({
      '/submittedAt': 'required',
      '/submitter/nationalId': 'invalid-checksum',
      '/municipality': 'invalid-format',
    });
    for (const e of body.errors) expect(typeof e.code).toBe('string');
  });

  it('a provider not granted the form type: 403 not-granted; a reused submissionId: 409 submission-id-reused', async () => {
    const forbidden = await t.post(await sample('tt-kort-soknad'), 'halden-intranett');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ type: TYPE('not-granted'), errors: [{ code: 'not-granted' }] });

    const first = await t.post({ ...(await sample('melding-vei-gatelys')), submissionId: 'problem-409' });
    expect(first.status).toBe(202);
    const again = await t.post({
      ...(await sample('melding-vei-gatelys')),
      submissionId: 'problem-409',
      submittedAt: '2026-11-29T10:00:00+01:00',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      type: TYPE('submission-id-reused'),
      trackingId: first.body.trackingId,
      errors: [{ path: '/submissionId', code: 'submission-id-reused' }],
    });
  });

  it('a method the route does not take: 405 method-not-allowed with Allow', async () => {
    const response = await fetch(`${t.hub.url}/v1/submissions`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('POST');
    expect(await response.json()).toMatchObject({ type: TYPE('method-not-allowed') });
  });
});
