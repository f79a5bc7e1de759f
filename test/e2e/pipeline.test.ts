import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiksArkivV1 } from '../../shared/noark/validate.ts';
import { providerFor, SAMPLE_NAMES, sample, testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;

// Everything the hub writes to stdout/stderr while this file runs (the Lambda logs, the runner's own lines).
const captured: string[] = [];
const originalWrite = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(async () => {
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(String(chunk));
    return originalWrite.out(chunk as string, ...(rest as []));
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(String(chunk));
    return originalWrite.err(chunk as string, ...(rest as []));
  }) as typeof process.stderr.write;
  t = await testHub();
});

afterAll(async () => {
  await t?.hub.stop();
  process.stdout.write = originalWrite.out as typeof process.stdout.write;
  process.stderr.write = originalWrite.err as typeof process.stderr.write;
});

const delivered = (s: { status: string }) => s.status === 'DELIVERED' || s.status === 'FAILED';
const xml = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false });

describe('a submission travels from POST to its targets', () => {
  const receipts = new Map<string, { trackingId: string; statusUrl: string }>();

  it('accepts every sample with 202 and a receipt', async () => {
    for (const name of SAMPLE_NAMES) {
      const body = await sample(name);
      const response = await t.post(body, providerFor(body.formType));
      expect(response.status, name).toBe(202);
      expect(response.body).toMatchObject({ submissionId: body.submissionId, status: 'RECEIVED' });
      expect(response.body.trackingId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.body.statusUrl).toBe(`/v1/submissions/${response.body.trackingId}`);
      receipts.set(name, response.body);
    }
  });

  it('delivers each submission to all its targets, with history', async () => {
    const expectedTargets: Record<string, string[]> = {
      'tt-kort-soknad': ['halden-arkiv'],
      'melding-vei-gatelys': ['halden-driftsordre'],
      'soknad-tiltak-uten-ansvarsrett': ['innherred-byggesak', 'innherred-byggesak-arkiv'],
      'a-skjema-tilsetting': ['halden-arkiv', 'halden-it-tilgang', 'halden-lonn'],
    };
    for (const name of SAMPLE_NAMES) {
      const { trackingId } = receipts.get(name) ?? { trackingId: '' };
      const status = await t.waitFor(trackingId, providerFor(name), delivered);
      expect(status.status, name).toBe('DELIVERED');
      expect(status.deliveries.map((d: { target: string }) => d.target).sort()).toEqual(expectedTargets[name]);
      for (const delivery of status.deliveries) {
        expect(delivery.status).toBe('DELIVERED');
        expect(delivery.attempts).toBe(1);
        expect(delivery.history.at(-1).status).toBe('DELIVERED');
        expect(Date.parse(delivery.history[0].at)).not.toBeNaN();
      }
    }
  });

  it('writes arkivmelding.xml files that validate against the Fiks Arkiv V1 XSD, beside the documents they name', async () => {
    for (const name of ['tt-kort-soknad', 'soknad-tiltak-uten-ansvarsrett', 'a-skjema-tilsetting']) {
      const body = await sample(name);
      const { trackingId } = receipts.get(name) ?? { trackingId: '' };
      const folder = join(t.hub.archiveDir, body.municipality, trackingId);
      const arkivmelding = await readFile(join(folder, 'arkivmelding.xml'), 'utf8');
      const validation = await validateFiksArkivV1(arkivmelding);
      expect(validation.errors, name).toEqual([]);
      expect(validation.valid).toBe(true);

      const named = [...arkivmelding.matchAll(/<referanseDokumentfil>([^<]+)<\/referanseDokumentfil>/g)].map(
        (m) => m[1],
      );
      const attachments = (body.attachments as { filename: string }[]).map((a) => a.filename);
      for (const filename of attachments) expect(named).toContain(filename);
      const files = await readdir(folder);
      for (const filename of named) expect(files).toContain(filename);
      expect(arkivmelding).toContain(`<n5mdk:noekkel>${trackingId}</n5mdk:noekkel>`);
    }
  });

  it('screens the TT-kort record: tilgangsrestriksjon 13 and no name in the public title', async () => {
    const { trackingId } = receipts.get('tt-kort-soknad') ?? { trackingId: '' };
    const parsed = xml.parse(await readFile(join(t.hub.archiveDir, '3101', trackingId, 'arkivmelding.xml'), 'utf8'));
    const jp = parsed.arkivmelding.registrering;
    expect(jp.tittel).toContain('Østby-Lærum');
    expect(jp.offentligTittel).toBe('Søknad om TT-kort');
    expect(jp.skjerming.tilgangsrestriksjon.kode).toBe('13');
    expect(jp.journalposttype.kode).toBe('I');
    const parts = [jp.korrespondansepart].flat();
    expect(parts[0].korrespondanseparttype.kode).toBe('EA');
    expect(parts[0].personid).toBe('12035440095');
  });

  it('carries the archive references into the building-case system (archive first, then fagsystem)', async () => {
    const { trackingId } = receipts.get('soknad-tiltak-uten-ansvarsrett') ?? { trackingId: '' };
    const status = await t.waitFor(trackingId, 'eskjema', delivered);
    const archive = status.deliveries.find((d: { target: string }) => d.target === 'innherred-byggesak-arkiv');
    const byggesak = status.deliveries.find((d: { target: string }) => d.target === 'innherred-byggesak');
    expect(archive.references.saksnummer).toMatch(/^\d{4}\/\d+$/);
    expect(byggesak.history[0].status).toBe('PENDING');
    expect(Date.parse(byggesak.history.at(-1).at)).toBeGreaterThanOrEqual(Date.parse(archive.history.at(-1).at));
    const payload = xml.parse(await readFile(join(t.hub.fagsystemDir, 'byggesak', `${trackingId}.xml`), 'utf8'));
    expect(payload.byggesak.arkiv.saksnummer).toBe(archive.references.saksnummer);
    expect(payload.byggesak.arkiv.journalpostnummer).toBe(archive.references.journalpostnummer);
    expect(payload.byggesak.eiendom.gardsnummer).toBe('314');
  });

  it('drops the work order JSON for the specialist system', async () => {
    const { trackingId } = receipts.get('melding-vei-gatelys') ?? { trackingId: '' };
    const order = JSON.parse(await readFile(join(t.hub.fagsystemDir, 'driftsordre', `${trackingId}.json`), 'utf8'));
    expect(order).toMatchObject({
      eksternReferanse: trackingId,
      kategori: 'gatelys',
      sted: { adresse: 'Tistedalsgata 5' },
    });
    expect(order.beskrivelse).toContain('mørkt ved skoleveien');
  });

  it('answers a repeated POST with the same receipt (200) and archives it only once', async () => {
    const body = await sample('tt-kort-soknad');
    const first = receipts.get('tt-kort-soknad');
    const again = await t.post(body);
    expect(again.status).toBe(200);
    expect(again.body.trackingId).toBe(first?.trackingId);
    // Had the repeat been queued, it would be on a queue now: wait until every queue has been worked off.
    await t.drained();
    const folders = (await readdir(join(t.hub.archiveDir, '3101'))).filter((f) => !f.startsWith('.'));
    const ttKort = [];
    for (const folder of folders) {
      const content = await readFile(join(t.hub.archiveDir, '3101', folder, 'arkivmelding.xml'), 'utf8');
      if (content.includes('kf-2026-000123') || content.includes('Søknad om TT-kort')) ttKort.push(folder);
    }
    expect(ttKort).toEqual([first?.trackingId]);
    const status = await t.status(first?.trackingId ?? '');
    expect(status.body.deliveries[0].history.filter((h: { status: string }) => h.status === 'DELIVERED')).toHaveLength(
      1,
    );
  });

  it('rejects the same submissionId with other content (409) naming the field', async () => {
    const body = await sample('tt-kort-soknad');
    const response = await t.post({ ...body, submittedAt: '2026-11-24T10:16:00+01:00' });
    expect(response.status).toBe(409);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body.errors[0].path).toBe('/submissionId');
    // Which earlier submission holds the id: the provider's own, so it may know.
    expect(response.body.trackingId).toBe(receipts.get('tt-kort-soknad')?.trackingId);
  });

  it('lets a provider read only its own submissions', async () => {
    const { trackingId } = receipts.get('a-skjema-tilsetting') ?? { trackingId: '' };
    expect((await t.status(trackingId, 'halden-intranett')).status).toBe(200);
    const other = await t.status(trackingId, 'eskjema');
    expect(other.status).toBe(404);
    expect(other.body.status).toBe(404);
  });
});

describe('bad input gets a precise problem and changes nothing', () => {
  const expectProblem = (
    response: { status: number; contentType: string | null; body: any },
    status: number,
    path?: string,
  ) => {
    expect(response.status).toBe(status);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body.status).toBe(status);
    expect(response.body.title).toBeTruthy();
    if (path) expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  };

  /** Proof that nothing was stored: the same submissionId is still free (202, not 200 or 409). */
  const expectNothingStored = async (body: Record<string, unknown>) => {
    const valid = await sample('melding-vei-gatelys');
    const response = await t.post({ ...valid, submissionId: body.submissionId });
    expect(response.status).toBe(202);
  };

  it('unknown form type: 400 naming /formType', async () => {
    const body = {
      ...(await sample('melding-vei-gatelys')),
      submissionId: 'bad-1',
      formType: 'soknad-om-hundeluftetillatelse',
    };
    expectProblem(await t.post(body), 400, '/formType');
    await expectNothingStored(body);
  });

  it('a municipality the provider may not submit to: 403', async () => {
    const body = { ...(await sample('tt-kort-soknad')), submissionId: 'bad-2', municipality: '5037' };
    expectProblem(await t.post(body), 403, '/municipality');
    const intranet = { ...(await sample('tt-kort-soknad')), submissionId: 'bad-3' };
    expectProblem(await t.post(intranet, 'halden-intranett'), 403, '/municipality');
  });

  it('malformed XML: 400, nothing stored', async () => {
    const base = await sample('melding-vei-gatelys');
    const body = {
      ...base,
      submissionId: 'bad-4',
      formData: { contentType: 'application/xml', content: '<melding><feil>' },
    };
    expectProblem(await t.post(body), 400, '/formData/content');
    await expectNothingStored(body);
  });

  it('XML with a DTD / entity declaration: 400, nothing stored', async () => {
    const base = await sample('melding-vei-gatelys');
    const content =
      '<?xml version="1.0"?><!DOCTYPE melding [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><melding><sted><adresse>&xxe;</adresse></sted></melding>';
    const body = { ...base, submissionId: 'bad-5', formData: { contentType: 'application/xml', content } };
    const response = await t.post(body);
    expectProblem(response, 400, '/formData/content');
    expect(JSON.stringify(response.body)).not.toContain('root:');
    await expectNothingStored(body);
  });

  it('missing or forged token: 401', async () => {
    const body = await sample('melding-vei-gatelys');
    const none = await fetch(`${t.hub.url}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const real = await t.token({ provider: 'eskjema' });
    const [header, payload] = real.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forgedPayload = Buffer.from(
      // The intranet's identity (Halden itself, its own client), the vendor's signature kept.
      JSON.stringify({ ...claims, supplier: undefined, client_id: '5b0e7c2a-3d41-4f7e-9a62-8c1d0e4b7f35' }),
    ).toString('base64url');
    const forged = await fetch(`${t.hub.url}/v1/submissions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${header}.${forgedPayload}.${real.split('.')[2]}`,
      },
      body: JSON.stringify(body),
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { status: number }).status).toBe(401);
  });

  it('invalid envelope fields: 400 naming each field', async () => {
    const body = {
      ...(await sample('tt-kort-soknad')),
      submissionId: 'bad-6',
      submittedAt: 'i går',
      submitter: { name: 'Åse', nationalId: '12035440096' },
    };
    const response = await t.post(body);
    expectProblem(response, 400, '/submittedAt');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain('/submitter/nationalId');
    expect(JSON.stringify(response.body)).not.toContain('12035440096');
  });

  it('form data that breaks the form type rules: 422 naming the field', async () => {
    const base = await sample('tt-kort-soknad');
    const content = (base.formData as { content: string }).content.replace(/<etternavn>.*<\/etternavn>/, '');
    const body = { ...base, submissionId: 'bad-7', formData: { contentType: 'application/xml', content } };
    expectProblem(await t.post(body), 422, '/formData/content/soker/etternavn');
  });

  it('wrong content type: 415', async () => {
    const body = await sample('melding-vei-gatelys');
    expectProblem(await t.post(JSON.stringify(body), 'eskjema', { 'content-type': 'text/plain' }), 415);
  });
});

describe('personal data stays out of the logs', () => {
  it('no fødselsnummer from the samples appears in anything the hub logged', async () => {
    const log = captured.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const fnr of ['12035440095', '01118740080', '29029240181', '12035440096']) expect(log).not.toContain(fnr);
    expect(log).not.toContain('Østby-Lærum');
  });

  it('no applicant or employee name from the screened forms appears in any log line', async () => {
    const names: string[] = [];
    for (const name of SAMPLE_NAMES) {
      const body = await sample(name);
      const formType = t.hub.config.deployments.flatMap((d) => d.formTypes).find((f) => f.id === body.formType);
      if (!formType?.archive?.skjerming) continue;
      const content = (body.formData as { content: string }).content;
      const inForm = [...content.matchAll(/<(?:fornavn|etternavn|leder)>([^<]+)</g)].map((m) => m[1] ?? '');
      names.push((body.submitter as { name: string }).name, ...inForm);
    }
    expect(names).toEqual(expect.arrayContaining(['Åse Marie Østby-Lærum', 'Jonas', 'Ødegård', 'Randi Sommerseth']));
    const lines = captured.join('').split('\n');
    expect(lines.filter((line) => names.some((n) => line.includes(n)))).toEqual([]);
  });

  it('the archive folders exist where docs/form-types.md says', () => {
    expect(existsSync(join(t.hub.archiveDir, '3101'))).toBe(true);
  });
});
