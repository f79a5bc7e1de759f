/**
 * A fifth form type needs a definition file and configuration only, no code: the form type in
 * test/fixtures/fifth-form-type exists nowhere else (JSON form data, a new case folder per submission, screening,
 * an eFormidling archive and a specialist system that waits for the archive's saksnummer).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import type { FormType } from '../../shared/config/types.ts';
import { previewSubmission } from '../../shared/mapping/preview.ts';
import { validateEFormidling } from '../../shared/noark/validate.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';
import { checkFormRules } from '../../shared/submission/rules.ts';
import { parseArkivmelding, VALIDATE_TIMEOUT } from './support.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/fifth-form-type');
const ID = 'parkeringstillatelse-forflytningshemmede';

async function fixture() {
  const registry = buildRegistry(await loadHubConfig(resolve(FIXTURE, 'config')));
  const submission = JSON.parse(await readFile(resolve(FIXTURE, 'submission.json'), 'utf8'));
  return { registry, submission };
}

describe('a fifth form type, from files only', () => {
  it('is routed, received by its own rules, and may be submitted by the granted provider', async () => {
    const { registry, submission } = await fixture();
    const formType = registry.formType('4647', ID) as FormType;
    expect(formType.title).toBe('Søknad om parkeringstillatelse for forflytningshemmede');
    expect(registry.mayProviderSubmit('eskjema', '4647', ID)).toBe(true);

    const content = JSON.parse(submission.formData.content);
    const ok = parseFormData('application/json', JSON.stringify(content));
    expect(checkFormRules(formType, ok, submission)).toEqual([]);
    // Only the applicant, or a fullmektig who submits for her (JSON form data is checked the same way as XML).
    const someoneElse = { ...submission, submitter: { name: 'Ola Sæther', nationalId: '01118740080' } };
    expect(checkFormRules(formType, ok, someoneElse).map((e) => e.path)).toEqual([
      '/formData/content/soker/fodselsnummer',
    ]);
    const proxy = parseFormData(
      'application/json',
      JSON.stringify({ ...content, fullmektig: { fodselsnummer: '01118740080', navn: 'Ola Sæther' } }),
    );
    expect(checkFormRules(formType, proxy, someoneElse)).toEqual([]);
    delete content.kjoretoy;
    content.soker.fodselsnummer = '12035440096';
    const bad = parseFormData('application/json', JSON.stringify(content));
    expect(checkFormRules(formType, bad, submission).map((e) => e.path)).toEqual([
      '/formData/content/kjoretoy',
      '/formData/content/soker/fodselsnummer',
    ]);
  });

  it(
    'produces an eFormidling arkivmelding that validates, screened, and the parking system’s payload',
    async () => {
      const { registry, submission } = await fixture();
      const preview = await previewSubmission(registry, submission, {
        archiveReferences: { saksnummer: '2026/88', journalpostnummer: '1' },
      });
      expect(preview.problems).toEqual([]);
      const [arkivmelding, payload] = preview.files;
      expect(arkivmelding).toMatchObject({
        target: 'fjordvik-arkiv',
        filename: 'arkivmelding.xml',
        format: 'eformidling',
      });
      expect((await validateEFormidling(arkivmelding?.body ?? '')).errors).toEqual([]);

      const mappe = parseArkivmelding(arkivmelding?.body ?? '').mappe;
      const jp = mappe.basisregistrering;
      expect(jp.tittel).toBe('Søknad om parkeringstillatelse – Åse Marie Østby-Lærum');
      expect(jp.offentligTittel).toBe('Søknad om parkeringstillatelse for forflytningshemmede');
      expect(jp.skjerming.skjermingshjemmel).toBe('Offl. § 13 jf. fvl. § 13 første ledd nr. 1');
      // The optional representative is left out: the form has none. The receiving side: the municipality (EM)
      // and the responsible unit (IM).
      expect(jp.korrespondansepart.map((k: any) => k.korrespondanseparttype)).toEqual([
        'Avsender',
        'Mottaker',
        'Intern mottaker',
      ]);
      expect(jp.dokumentbeskrivelse.map((d: any) => d.dokumentobjekt.referanseDokumentfil)).toEqual([
        'soknad-parkering.pdf',
        'skjemadata.json',
      ]);
      expect(mappe.administrativEnhet).toBe('HO');

      expect(payload).toMatchObject({ target: 'fjordvik-parkering', filename: 'fjordvik-parkering.json' });
      expect(JSON.parse(payload?.body ?? '')).toEqual({
        referanse: expect.stringMatching(/^[0-9a-f-]{36}$/),
        arkivsak: '2026/88',
        innehaver: 'Åse Marie Østby-Lærum',
        kjoretoy: ['AB12345', 'EL98765'],
        gyldigFra: '2026-11-25',
        foreslattVarighetAar: 5,
      });
    },
    VALIDATE_TIMEOUT,
  );
});
