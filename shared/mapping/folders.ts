/** The case folder: the strategies, the property, supplements, and folder keys without a fødselsnummer in clear. */
import type { ArchiveSettings, FormType } from '../config/types.ts';
import type { Klassifikasjon, Matrikkelnummer, Saksmappe } from '../noark/model.ts';
import { archiveLabel } from './archive-labels.ts';
import { type DefinitionCompiler, requireText, text, type Value } from './compiler.ts';
import type { MappingInput } from './context.ts';
import type { MatrikkelnummerMapping, PropertyFolder, SaksmappeMapping } from './definition.ts';
import { ADVICE, MappingError } from './errors.ts';
import { pseudonym } from './folder-key.ts';
import { checkLiteralLength, finishTitle, personalPaths, withoutPaths } from './titles.ts';
import { asText, compileAllTexts, compilePath, type Data, pathsOf } from './values.ts';

/** The folder key's namespace: folders are shared across form types (a person's folder takes every form). */
const FOLDER_FAGSYSTEM = 'skjemaflyt';

/**
 * The case folder, by the form type's strategy:
 *   new          a new case per submission
 *   application  a new case per application, with the property's matrikkelnummer and GBNR class (Noark practice:
 *                one sak per application, found again by its class); two applications on one property are two cases
 *   person       the person's own folder (TT-kort), found again by a key with their pseudonymised fødselsnummer
 *   external-key the folder with this key (a fødselsnummer in it pseudonymised likewise)
 *   property     one folder per property (kept for archives that want it; not Noark practice for applications)
 * A supplementary submission that names an earlier one (its trackingId or the case's saksnummer) joins that case.
 */
export function compileSaksmappe(c: DefinitionCompiler, spec: SaksmappeMapping, formType: FormType, maxLength: number) {
  const at = '/archive/saksmappe';
  const tittel = c.value(spec.tittel, `${at}/tittel`);
  checkLiteralLength(c, spec.tittel, `${at}/tittel`, maxLength);
  const settings = formType.archive as ArchiveSettings;
  const screensTitle = settings.skjerming?.skjermingMetadata.some((m) => m.toLowerCase() === 'tittel') ?? false;
  const offentligTittel =
    spec.offentligTittel !== undefined
      ? c.value(spec.offentligTittel, `${at}/offentligTittel`)
      : screensTitle
        ? c.value(withoutPaths(spec.tittel, personalPaths(formType)), `${at}/tittel`)
        : undefined;
  const klassifikasjon = (spec.klassifikasjon ?? []).map((k, i) => ({
    klassifikasjonssystem: k.klassifikasjonssystem,
    klasseID: c.value(k.klasseID, `${at}/klassifikasjon/${i}/klasseID`),
    tittel: c.optional(k.tittel, `${at}/klassifikasjon/${i}/tittel`),
    skjermetKlasse: k.skjermetKlasse,
  }));
  const keyed = spec.strategy === 'external-key' || spec.strategy === 'person';
  const noekkel = keyed ? c.value(spec.noekkel, `${at}/noekkel`) : undefined;
  const byProperty = spec.strategy === 'property' || spec.strategy === 'application';
  const property = byProperty ? compileProperty(c, spec.matrikkelnummer, spec.gbnr, at) : undefined;
  const supplement = 'supplement' in spec ? spec.supplement : undefined;
  const nationalIds = (formType.formData.nationalIds ?? []).map((path) => compileAllTexts(path));
  const label = (v: Value) => archiveLabel(v.field);

  return (data: Data, input: MappingInput) => {
    const classes: Klassifikasjon[] = [];
    let key: string;
    let matrikkelnummer: Matrikkelnummer[] | undefined;
    if (property) {
      const found = property(data);
      classes.push(found.klasse);
      matrikkelnummer = [found.matrikkelnummer];
      // For titles: the property as people write it ("314/27", with feste/seksjon where given).
      data.gbnr = found.gbnr;
      key = spec.strategy === 'property' ? `eiendom/${found.key}` : `${c.formType}/${input.trackingId}`;
    } else if (noekkel) {
      key = pseudonymised(requireText(noekkel, data, c.formType, label(noekkel)), nationalIds, data);
    } else {
      key = `${c.formType}/${input.trackingId}`;
    }
    let saksnummer: Saksmappe['saksnummer'];
    if (supplement) {
      const earlier = supplement.trackingId ? asText(compilePath(supplement.trackingId)(data)) : undefined;
      const sak = supplement.saksnummer ? asText(compilePath(supplement.saksnummer)(data)) : undefined;
      const parsed = sak ? /^(\d{4})\s*\/\s*(\d{1,9})$/.exec(sak) : null;
      if (parsed) saksnummer = { saksaar: Number(parsed[1]), sakssekvensnummer: Number(parsed[2]) };
      // The earlier submission's case: the key it was created under.
      else if (earlier && /^[A-Za-z0-9-]{1,64}$/.test(earlier)) key = `${c.formType}/${earlier}`;
    }
    for (const k of klassifikasjon) {
      const klasseTittel = text(k.tittel, data);
      classes.push({
        klassifikasjonssystem: k.klassifikasjonssystem,
        klasseID: requireText(k.klasseID, data, c.formType, label(k.klasseID)),
        ...(klasseTittel !== undefined ? { tittel: klasseTittel } : {}),
        ...(k.skjermetKlasse !== undefined ? { skjermetKlasse: k.skjermetKlasse } : {}),
      });
    }
    const mappe: Saksmappe = {
      tittel: finishTitle(requireText(tittel, data, c.formType, label(tittel)), maxLength),
      ...(offentligTittel
        ? {
            offentligTittel: finishTitle(
              requireText(offentligTittel, data, c.formType, label(offentligTittel)),
              maxLength,
            ),
          }
        : {}),
      referanseEksternNoekkel: { fagsystem: FOLDER_FAGSYSTEM, noekkel: key },
      klassifikasjon: classes,
      ...(matrikkelnummer ? { matrikkelnummer } : {}),
      saksstatus: 'B',
      ...(saksnummer ? { saksnummer } : {}),
    };
    return { mappe, matrikkelnummer };
  };
}

/** Every national id of the form that appears in a key, replaced by its keyed pseudonym. */
function pseudonymised(key: string, nationalIds: ((data: Data) => string[])[], data: Data): string {
  let result = key;
  const ids = new Set(nationalIds.flatMap((all) => all(data)));
  // Longest first, so no id is replaced inside another.
  for (const id of [...ids].sort((a, b) => b.length - a.length)) {
    if (result.includes(id)) result = result.split(id).join(pseudonym(id));
  }
  // Any other 11-digit run is treated as one too: a key never carries a fødselsnummer in clear.
  return result.replace(/(?<!\d)\d{11}(?!\d)/g, (id) => pseudonym(id));
}

/**
 * The property's matrikkelnummer; its GBNR class id in the configured form (default "<kommunenummer>-<gnr>/<bnr>",
 * with "/<festenummer>" and "/<seksjonsnummer>" only when not 0: the municipality number is part of it, because a
 * samkommune's archive holds properties of several municipalities); and "gnr/bnr" for titles. Numbers are
 * normalised ("0314" → 314).
 */
function compileProperty(c: DefinitionCompiler, m: MatrikkelnummerMapping, gbnr: PropertyFolder['gbnr'], at: string) {
  const mat = `${at}/matrikkelnummer`;
  const kommunenummer = c.value(m.kommunenummer, `${mat}/kommunenummer`);
  const gaardsnummer = c.value(m.gaardsnummer, `${mat}/gaardsnummer`);
  const bruksnummer = c.value(m.bruksnummer, `${mat}/bruksnummer`);
  const festenummer = c.optional(m.festenummer, `${mat}/festenummer`);
  const seksjonsnummer = c.optional(m.seksjonsnummer, `${mat}/seksjonsnummer`);
  const klasseTittel = c.optional(gbnr.tittel, `${at}/gbnr/tittel`);
  const format = gbnr.format;
  if (format !== undefined && !/\{(gnr)\}/.test(format)) c.issue(`${at}/gbnr/format`, 'must contain {gnr}');
  if (format !== undefined && placeholdersOf(format).some((name) => !GBNR_PLACEHOLDERS.includes(name))) {
    c.issue(`${at}/gbnr/format`, 'knows only {knr}, {gnr}, {bnr}, {fnr} and {snr}');
  }

  const number = (value: Value | undefined, data: Data, required: boolean): number | undefined => {
    if (!value) return undefined;
    const raw = required ? requireText(value, data, c.formType, archiveLabel(value.field)) : text(value, data);
    if (raw === undefined) return undefined;
    // xs:int in Fiks Arkiv; leading zeros ("0314") are the same property as without.
    if (!/^\d{1,9}$/.test(raw)) throw notMatrikkel(value, 'er ikke et heltall');
    return Number(raw);
  };
  const notMatrikkel = (value: Value, problem: string) =>
    new MappingError({
      formType: c.formType,
      field: value.field,
      label: archiveLabel(value.field),
      problem,
      rule: value.spec,
      formFields: pathsOf(value.spec),
      advice: ADVICE.invalid,
    });

  return (data: Data) => {
    const knr = requireText(kommunenummer, data, c.formType, archiveLabel(kommunenummer.field));
    if (!/^\d{4}$/.test(knr)) throw notMatrikkel(kommunenummer, 'er ikke et kommunenummer med fire sifre');
    const gnr = number(gaardsnummer, data, true) ?? 0;
    const bnr = number(bruksnummer, data, true) ?? 0;
    const fnr = number(festenummer, data, false);
    const snr = number(seksjonsnummer, data, false);
    const matrikkelnummer: Matrikkelnummer = {
      kommunenummer: knr,
      gaardsnummer: gnr,
      bruksnummer: bnr,
      ...(fnr !== undefined ? { festenummer: fnr } : {}),
      ...(snr !== undefined ? { seksjonsnummer: snr } : {}),
    };
    const tail = snr ? `/${fnr ?? 0}/${snr}` : fnr ? `/${fnr}` : '';
    const canonical = `${knr}-${gnr}/${bnr}${tail}`;
    const values: Record<string, string> = {
      knr,
      gnr: String(gnr),
      bnr: String(bnr),
      fnr: String(fnr ?? 0),
      snr: String(snr ?? 0),
    };
    const klasseID = format ? format.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '') : canonical;
    const tittel = text(klasseTittel, data);
    const klasse: Klassifikasjon = {
      klassifikasjonssystem: gbnr.klassifikasjonssystem,
      klasseID,
      ...(tittel !== undefined ? { tittel } : {}),
    };
    return { matrikkelnummer, klasse, key: canonical, gbnr: `${gnr}/${bnr}${tail}` };
  };
}

const GBNR_PLACEHOLDERS = ['knr', 'gnr', 'bnr', 'fnr', 'snr'];

/** The `{name}`s of a format, scanned (not a regular expression: it sees configuration, and must not backtrack). */
function placeholdersOf(format: string): string[] {
  const names: string[] = [];
  let from = 0;
  for (;;) {
    const open = format.indexOf('{', from);
    if (open < 0) return names;
    const close = format.indexOf('}', open + 1);
    if (close < 0) return [...names, format.slice(open + 1)];
    names.push(format.slice(open + 1, close));
    from = close + 1;
  }
}
