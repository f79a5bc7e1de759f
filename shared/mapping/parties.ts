/**
 * Who the record names: the sender (the submitter, or a party from the form), the receiving municipality and unit
 * (with the owner's settings), and the case's parties.
 */
import type { ArchiveSettings, ArchiveUnit, ArchiveUnitSettings, FormType } from '../config/types.ts';
import type { Identifikator, Korrespondansepart, Part } from '../noark/model.ts';
import type { SubmissionEnvelope } from '../submission/types.ts';
import { archiveLabel } from './archive-labels.ts';
import { type DefinitionCompiler, requireText, text } from './compiler.ts';
import type { MappingInput } from './context.ts';
import type { ArchiveMapping, KorrespondansepartMapping, PartMapping } from './definition.ts';
import { ADVICE, MappingError } from './errors.ts';
import type { Data } from './values.ts';

/** The settings for the owning municipality: its own where the configuration gives them, else the form type's. */
export function unitSettings(settings: ArchiveSettings, owner: string): ArchiveUnitSettings {
  const own = settings.perMunicipality?.[owner] ?? {};
  return {
    ...pick(settings),
    ...pick(own),
  };
}

function pick(s: ArchiveUnitSettings): ArchiveUnitSettings {
  return {
    ...(s.journalenhet !== undefined ? { journalenhet: s.journalenhet } : {}),
    ...(s.arkivdel !== undefined ? { arkivdel: s.arkivdel } : {}),
    ...(s.administrativEnhet !== undefined ? { administrativEnhet: s.administrativEnhet } : {}),
    ...(s.saksansvarlig !== undefined ? { saksansvarlig: s.saksansvarlig } : {}),
  };
}

export function identifier(id: ArchiveUnit): Identifikator {
  return {
    ...(id.identifikator !== undefined ? { identifikator: id.identifikator } : {}),
    ...(id.initialer !== undefined ? { initialer: id.initialer } : {}),
  };
}

/**
 * The receiving side, as KS's example for an incoming post has it: the owning municipality as EM with its
 * organisasjonid, and the responsible unit as IM with erBehandlingsansvarlig. An internal note has only the unit.
 * The municipality and its units are no one's personal data, even where the sender is screened.
 */
export function receivers(
  formType: FormType,
  journalposttype: ArchiveSettings['journalposttype'],
  owner: string,
  unit: ArchiveUnitSettings,
): Korrespondansepart[] {
  const result: Korrespondansepart[] = [];
  const municipality = formType.owners?.find((m) => m.kommunenummer === owner);
  if (journalposttype === 'I' && municipality) {
    result.push({
      korrespondanseparttype: 'EM',
      erBehandlingsansvarlig: false,
      navn: municipality.name,
      organisasjonid: municipality.organisationNumber,
      skjermetKorrespondansepart: false,
    });
  }
  const enhet = unit.administrativEnhet;
  if (enhet) {
    result.push({
      korrespondanseparttype: 'IM',
      erBehandlingsansvarlig: true,
      navn: enhet.navn ?? enhet.identifikator ?? enhet.initialer ?? '',
      administrativEnhet: identifier(enhet),
      ...(unit.saksansvarlig ? { saksbehandler: identifier(unit.saksansvarlig) } : {}),
      skjermetKorrespondansepart: false,
    });
  }
  return result;
}

export function isSamePerson(part: Part, submitter: SubmissionEnvelope['submitter']): boolean {
  if (part.personid !== undefined || part.organisasjonid !== undefined) {
    return (
      (part.personid !== undefined && part.personid === submitter.nationalId) ||
      (part.organisasjonid !== undefined && part.organisasjonid === submitter.organisationNumber)
    );
  }
  return part.navn.trim().toLowerCase() === submitter.name.trim().toLowerCase();
}

export function submitterPart(
  submitter: SubmissionEnvelope['submitter'],
  role: NonNullable<ArchiveMapping['representative']>,
): Part {
  return {
    navn: submitter.name,
    ...(role.rolle ? { rolle: role.rolle } : {}),
    rolleTekst: role.rolleTekst,
    ...submitterContact(submitter),
  };
}

/** How the submitter is identified and reached, as a part and a korrespondansepart both carry it. */
function submitterContact(submitter: SubmissionEnvelope['submitter']) {
  const address = submitter.address;
  return {
    ...(submitter.organisationNumber
      ? { organisasjonid: submitter.organisationNumber }
      : submitter.nationalId
        ? { personid: submitter.nationalId }
        : {}),
    ...(address?.street ? { postadresse: [address.street] } : {}),
    ...(address?.postalCode ? { postnummer: address.postalCode } : {}),
    ...(address?.postalTown ? { poststed: address.postalTown } : {}),
    ...(submitter.email ? { epostadresse: submitter.email } : {}),
    ...(submitter.phone ? { telefonnummer: submitter.phone } : {}),
  };
}

export function compilePart(c: DefinitionCompiler, spec: PartMapping, at: string) {
  const navn = c.value(spec.navn, `${at}/navn`);
  const field = (name: 'personid' | 'organisasjonid' | 'postnummer' | 'poststed' | 'epostadresse' | 'telefonnummer') =>
    c.optional(spec[name], `${at}/${name}`);
  const values = {
    personid: field('personid'),
    organisasjonid: field('organisasjonid'),
    postnummer: field('postnummer'),
    poststed: field('poststed'),
    epostadresse: field('epostadresse'),
    telefonnummer: field('telefonnummer'),
  };
  const postadresse = (spec.postadresse ?? []).map((line, i) => c.value(line, `${at}/postadresse/${i}`));
  return (data: Data): Part | undefined => {
    // The case's party is who the case is about: a name that came out empty is a mapping failure, not a gap.
    const name = requireText(navn, data, c.formType, archiveLabel(navn.field));
    const org = text(values.organisasjonid, data);
    const person = org === undefined ? text(values.personid, data) : undefined;
    const lines = postadresse.map((line) => text(line, data)).filter((l): l is string => l !== undefined);
    const part: Part = {
      navn: name,
      ...(spec.rolle ? { rolle: spec.rolle } : {}),
      rolleTekst: spec.rolleTekst,
      ...(org !== undefined ? { organisasjonid: org } : {}),
      ...(person !== undefined ? { personid: person } : {}),
      ...(lines.length > 0 ? { postadresse: lines } : {}),
    };
    for (const name of ['postnummer', 'poststed', 'epostadresse', 'telefonnummer'] as const) {
      const value = text(values[name], data);
      if (value !== undefined) part[name] = value;
    }
    return part;
  };
}

export function compileKorrespondansepart(c: DefinitionCompiler, spec: KorrespondansepartMapping, at: string) {
  if (spec.source === 'submitter') return submitterKorrespondansepart(spec);
  const navn = c.value(spec.navn ?? '', `${at}/navn`);
  const field = (name: keyof KorrespondansepartMapping) => {
    const value = spec[name];
    return typeof value === 'string' ? c.value(value, `${at}/${name}`) : undefined;
  };
  const personid = field('personid');
  const organisasjonid = field('organisasjonid');
  const optional = {
    postnummer: field('postnummer'),
    poststed: field('poststed'),
    land: field('land'),
    epostadresse: field('epostadresse'),
    telefonnummer: field('telefonnummer'),
    kontaktperson: field('kontaktperson'),
    administrativEnhet: field('administrativEnhet'),
    saksbehandler: field('saksbehandler'),
  };
  const postadresse = (spec.postadresse ?? []).map((line, i) => c.value(line, `${at}/postadresse/${i}`));
  return (data: Data, _input?: MappingInput): Korrespondansepart | undefined => {
    if (spec.optional && text(navn, data) === undefined) return undefined;
    const part: Korrespondansepart = {
      korrespondanseparttype: spec.type,
      navn: requireText(navn, data, c.formType, archiveLabel(navn.field)),
    };
    // A party with an organisation number is an organisation (Fiks Arkiv allows one of the two).
    const org = text(organisasjonid, data);
    const person = org === undefined ? text(personid, data) : undefined;
    if (org !== undefined) part.organisasjonid = org;
    if (person !== undefined) part.personid = person;
    const lines = postadresse.map((line) => text(line, data)).filter((l): l is string => l !== undefined);
    if (lines.length > 0) part.postadresse = lines;
    for (const [name, value] of Object.entries(optional)) {
      const result = text(value, data);
      if (result === undefined) continue;
      if (name === 'administrativEnhet' || name === 'saksbehandler') part[name] = { navn: result };
      else (part as unknown as Record<string, string>)[name] = result;
    }
    if (part.land !== undefined && !/^[A-Z]{2}$/.test(part.land)) {
      throw new MappingError({
        formType: c.formType,
        field: `${at}/land`,
        label: archiveLabel(`${at}/land`),
        problem: 'er ikke en landkode med to store bokstaver (ISO 3166, f.eks. NO)',
        rule: spec.land,
        advice: ADVICE.invalid,
      });
    }
    return part;
  };
}

/** The sender is whoever submitted: the applicant, or a guardian or consultant acting for them. */
function submitterKorrespondansepart(spec: KorrespondansepartMapping) {
  return (_data: Data, input?: MappingInput): Korrespondansepart | undefined => {
    const submitter = input?.envelope.submitter;
    if (!submitter) return undefined;
    const country = submitter.address?.country;
    return {
      korrespondanseparttype: spec.type,
      navn: submitter.name,
      ...submitterContact(submitter),
      ...(country && /^[A-Z]{2}$/.test(country) ? { land: country } : {}),
    };
  };
}
