/**
 * Penetration test, finding 3: the case folder and the person came from form fields nobody checked. A Levanger
 * building application for a Verdal property was filed in a Verdal property folder; a TT-kort application with
 * someone else's fødselsnummer in <soker> was filed under that person's name, in her case folder. The form type
 * says which fields must agree with the envelope (formData.municipalityNumbers, formData.submitterMustBe), and the
 * receive function refuses what does not, through the same HTTP API a provider uses.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewSubmission } from '../../shared/mapping/preview.ts';
import { isValidNationalId } from '../../shared/submission/identifiers.ts';
import { changedSample, demoRegistry, parseArkivmelding } from '../mapping/support.ts';
import { testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;

// What the hub logs while this file runs: kept (not printed) to check that no fødselsnummer reaches a log.
const logged: string[] = [];
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const keep = (chunk: unknown) => {
  logged.push(String(chunk));
  return true;
};

beforeAll(async () => {
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  t = await testHub();
});
afterAll(async () => {
  await t?.hub.stop();
  process.stdout.write = write.out as typeof process.stdout.write;
  process.stderr.write = write.err as typeof process.stderr.write;
});

const SOKER = '12035440095'; // Åse Marie Østby-Lærum, the TT-kort sample's applicant and submitter
const OTHER = '01118740080'; // Ola Sæther, the building sample's applicant
const CHILD = '03061550185';
const ALL_NUMBERS = [SOKER, OTHER, CHILD];

const settled = (s: { status: string }) => s.status === 'DELIVERED' || s.status === 'FAILED';
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

/** The Levanger building sample with the property's kommunenummer (and the envelope's municipality) changed. */
const building = (
  kommunenummer: string,
  municipality = '5037',
  submissionId = `bygg-${kommunenummer}-${municipality}`,
) =>
  changedSample(
    'soknad-tiltak-uten-ansvarsrett',
    (xml) => xml.replace('<kommunenummer>5037</kommunenummer>', `<kommunenummer>${kommunenummer}</kommunenummer>`),
    submissionId,
  ).then((body) => ({ ...body, municipality }));

/** The TT-kort sample, its form changed, sent by `submitter`. */
const ttKort = async (
  submissionId: string,
  submitter: Record<string, unknown>,
  change: (xml: string) => string = (xml) => xml,
) => ({ ...(await changedSample('tt-kort-soknad', change, submissionId)), submitter });

const withGuardian = (fnr: string) => (xml: string) =>
  xml
    .replace(`<fodselsnummer>${SOKER}</fodselsnummer>`, `<fodselsnummer>${CHILD}</fodselsnummer>`)
    .replace('</soker>', `</soker>\n  <foresatt><fodselsnummer>${fnr}</fodselsnummer></foresatt>`);

describe('the property lies in the municipality the form was sent to', () => {
  it('refuses a Levanger application for a Verdal property, and a Halden property sent to Innherred, naming the field', async () => {
    for (const [kommunenummer, municipality] of [
      ['5038', '5037'],
      ['3101', '5037'],
      ['5037', '5038'],
    ] as const) {
      const answer = await t.post(await building(kommunenummer, municipality));
      expect(answer.status, `${kommunenummer} sent to ${municipality}`).toBe(422);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(paths(answer.body)).toEqual(['/formData/content/eiendom/kommunenummer']);
      expect(answer.body.errors[0].message).toContain(`må være ${municipality}`);
    }
  });

  it('stores nothing from the refused one: the same submissionId with the right property is a new submission', async () => {
    const refused = await t.post(await building('5038', '5037', 'bygg-rettet'));
    expect(refused.status).toBe(422);
    const fixed = await t.post(await building('5037', '5037', 'bygg-rettet'));
    expect(fixed.status).toBe(202);
  });

  it('files a Verdal application for a Verdal property in Verdal', async () => {
    const answer = await t.post(await building('5038', '5038'));
    expect(answer.status).toBe(202);
    const status = await t.waitFor(answer.body.trackingId, 'eskjema', settled);
    expect(status.status).toBe('DELIVERED');
    const record = parseArkivmelding(
      await readFile(join(t.hub.archiveDir, '5038', answer.body.trackingId, 'arkivmelding.xml'), 'utf8'),
    );
    expect(record.mappe.matrikkelnummer[0].kommunenummer).toBe('5038');
  });

  it('the preview (npm run map) refuses it the same way', async () => {
    const preview = await previewSubmission(await demoRegistry(), await building('5038', '5037'));
    expect(preview.files).toEqual([]);
    expect(preview.problems.map((p) => p.field)).toEqual(['/formData/content/eiendom/kommunenummer']);
  });
});

describe('a TT-kort application is the submitter’s own, or the submitter is its guardian', () => {
  it('refuses an application for another person, naming soker and never a fødselsnummer', async () => {
    const answer = await t.post(await ttKort('tt-annen', { name: 'Ola Sæther', nationalId: OTHER }));
    expect(answer.status).toBe(422);
    expect(paths(answer.body)).toEqual(['/formData/content/soker/fodselsnummer']);
    expect(answer.body.errors[0].message).toContain('personen selv');
    for (const fnr of ALL_NUMBERS) expect(JSON.stringify(answer.body)).not.toContain(fnr);
  });

  it('refuses one whose submitter has no fødselsnummer (not identified)', async () => {
    const answer = await t.post(await ttKort('tt-uidentifisert', { name: 'Åse Marie Østby-Lærum' }));
    expect(answer.status).toBe(422);
    expect(paths(answer.body)).toEqual(['/submitter/nationalId']);
  });

  it('accepts a guardian who names herself in <foresatt>, and files it in the child’s folder', async () => {
    expect(isValidNationalId(CHILD)).toBe(true);
    const body = await ttKort('tt-foresatt', { name: 'Åse Marie Østby-Lærum', nationalId: SOKER }, withGuardian(SOKER));
    const answer = await t.post(body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const status = await t.waitFor(answer.body.trackingId, 'eskjema', settled);
    expect(status.status).toBe('DELIVERED');
    const record = parseArkivmelding(
      await readFile(join(t.hub.archiveDir, '3101', answer.body.trackingId, 'arkivmelding.xml'), 'utf8'),
    );
    expect(record.mappe.klassifikasjon[0].klasseID).toBe(CHILD);
  });

  it('refuses a <foresatt> who is not the submitter, naming foresatt', async () => {
    const body = await ttKort('tt-falsk-foresatt', { name: 'Ola Sæther', nationalId: OTHER }, withGuardian(SOKER));
    const answer = await t.post(body);
    expect(answer.status).toBe(422);
    expect(paths(answer.body)).toEqual(['/formData/content/foresatt/fodselsnummer']);
    for (const fnr of ALL_NUMBERS) expect(JSON.stringify(answer.body)).not.toContain(fnr);
  });
});

describe('refusals', () => {
  it('log no fødselsnummer', () => {
    expect(logged.length).toBeGreaterThan(0);
    for (const fnr of ALL_NUMBERS) expect(logged.join('')).not.toContain(fnr);
  });
});
