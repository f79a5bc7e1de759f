/**
 * Loading the mapping definitions (`form-types/<id>.json` beside the deployment files) and joining each with the
 * deployments that route its form type: schema, code lists, the checks a schema cannot make (does every delivery
 * have its mapping, is the screened title free of names, can the target's format hold the record), and compiling.
 * Every problem names its file and the JSON pointer of the field.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ConfigChecks, schemaIssues } from '../config/checks.ts';
import type { DeploymentConfig, DeploymentFile, FormType, FormTypeEntry, Target } from '../config/types.ts';
import { isCode } from '../noark/codes.ts';
import { EFORMIDLING_CODES } from '../noark/eformidling.ts';
import type { FormTypeDefinition } from './definition.ts';
import { compilePath, isExpression, pathsOf } from './values.ts';

export const DEFINITIONS_DIR = 'form-types';

export interface FileIssue {
  file: string;
  path: string;
  message: string;
}

const fileOf = (id: string) => `${DEFINITIONS_DIR}/${id}.json`;

/** Reads and checks one definition on its own (schema, code lists, paths); undefined when it is missing. */
export async function loadDefinition(
  dir: string,
  id: string,
  checks: ConfigChecks = {},
): Promise<{ definition?: FormTypeDefinition; issues: FileIssue[] }> {
  const file = fileOf(id);
  let text: string;
  try {
    text = await readFile(join(dir, `${id}.json`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { issues: [] };
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { issues: [{ file, path: '', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  const schema = checks.definitionSchema;
  if (schema && !schema(data)) return { issues: schemaIssues(file, schema.errors) };
  const definition = data as FormTypeDefinition;
  const issues = checkDefinition(definition).map((i) => ({ file, ...i }));
  if (definition.id !== id) {
    issues.push({ file, path: '/id', message: `"${definition.id}" must equal the file name "${id}"` });
  }
  return { definition, issues };
}

/** What the schema cannot say about a definition alone. */
function checkDefinition(d: FormTypeDefinition): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  for (const [key, paths] of Object.entries({
    required: d.formData.required,
    nationalIds: d.formData.nationalIds ?? [],
    organisationNumbers: d.formData.organisationNumbers ?? [],
    municipalityNumbers: d.formData.municipalityNumbers ?? [],
    'submitterMustBe/orRepresentative': d.formData.submitterMustBe?.orRepresentative ?? [],
  })) {
    paths.forEach((path, i) => {
      try {
        compilePath(path);
      } catch (error) {
        add(`/formData/${key}/${i}`, (error as Error).message);
      }
    });
  }
  const person = d.formData.submitterMustBe?.nationalId;
  if (person !== undefined) {
    try {
      compilePath(person);
      if (!d.formData.required.includes(person)) {
        add(
          '/formData/submitterMustBe/nationalId',
          `${person} must be in formData.required: a form without the person could not be checked against the submitter`,
        );
      }
    } catch (error) {
      add('/formData/submitterMustBe/nationalId', (error as Error).message);
    }
  }
  const archive = d.archive;
  if (!archive) return issues;
  issues.push(...checkSources(d));
  archive.korrespondansepart.forEach((p, i) => {
    if (!isCode('korrespondanseparttype', p.type)) {
      add(`/archive/korrespondansepart/${i}/type`, `"${p.type}" is not a korrespondanseparttype code`);
    }
  });
  archive.korrespondansepart.forEach((p, i) => {
    if (p.source === undefined && p.navn === undefined) add(`/archive/korrespondansepart/${i}`, 'needs navn');
    if (p.source !== undefined && p.navn !== undefined) {
      add(`/archive/korrespondansepart/${i}/navn`, 'not used with source "submitter" (the submitter has a name)');
    }
  });
  for (const [i, p] of (archive.part ?? []).entries()) {
    if (p.rolle !== undefined && !isCode('partrolle', p.rolle)) {
      add(`/archive/part/${i}/rolle`, `"${p.rolle}" is not a partrolle code (K, F, P, A)`);
    }
  }
  const representativeRole = archive.representative?.rolle;
  if (representativeRole !== undefined && !isCode('partrolle', representativeRole)) {
    add('/archive/representative/rolle', `"${representativeRole}" is not a partrolle code (K, F, P, A)`);
  }
  (archive.dokumenter.vedleggstyper ?? []).forEach((rule, i) => {
    if (!isCode('dokumenttype', rule.dokumenttype)) {
      add(`/archive/dokumenter/vedleggstyper/${i}/dokumenttype`, `"${rule.dokumenttype}" is not a dokumenttype code`);
    }
  });
  for (const [kind, doc] of Object.entries(archive.dokumenter)) {
    if (kind === 'vedleggstyper') continue;
    if (doc && !Array.isArray(doc) && !isCode('dokumenttype', doc.dokumenttype)) {
      add(
        `/archive/dokumenter/${kind}/dokumenttype`,
        `"${doc.dokumenttype}" is not in the dokumenttype code list (schemas/fiks-arkiv-v1/kodelister/dokumenttype.json)`,
      );
    }
  }
  const mappe = archive.saksmappe as Record<string, unknown> | undefined;
  if (mappe) {
    const allowed: Record<string, string[]> = {
      new: ['supplement'],
      'external-key': ['noekkel'],
      person: ['noekkel'],
      property: ['matrikkelnummer', 'gbnr'],
      application: ['matrikkelnummer', 'gbnr', 'supplement'],
    };
    for (const field of ['noekkel', 'matrikkelnummer', 'gbnr', 'supplement']) {
      if (mappe[field] !== undefined && !allowed[String(mappe.strategy)]?.includes(field)) {
        add(`/archive/saksmappe/${field}`, `not used by strategy "${String(mappe.strategy)}"`);
      }
    }
  }
  return issues;
}

/**
 * A value the record cannot do without must not come out empty for a submission that passed the form's rules:
 * it must read at least one required form field, or have text of its own (a folder key: every field required,
 * or submissions missing one would share a folder). Else the delivery would fail later, for a clerk to handle.
 */
function checkSources(d: FormTypeDefinition): { path: string; message: string }[] {
  const archive = d.archive;
  if (!archive) return [];
  const required = new Set(d.formData.required);
  const issues: { path: string; message: string }[] = [];
  const mustHaveValue = (spec: string | undefined, path: string) => {
    if (spec === undefined || isExpression(spec) || spec.startsWith('=')) return;
    const paths = pathsOf(spec);
    const ownText = spec.replace(/\{[^{}]*\}/g, '').trim() !== '' && spec.includes('{');
    if (ownText || paths.some((p) => required.has(p) || !isFormField(p))) return;
    issues.push({
      path,
      message: `can come out empty: none of ${paths.join(', ')} is in formData.required (add it, or write a fallback)`,
    });
  };
  mustHaveValue(archive.tittel, '/archive/tittel');
  mustHaveValue(archive.offentligTittel, '/archive/offentligTittel');
  archive.korrespondansepart.forEach((p, i) => {
    if (!p.optional && p.source === undefined) mustHaveValue(p.navn, `/archive/korrespondansepart/${i}/navn`);
  });
  for (const [i, p] of (archive.part ?? []).entries()) mustHaveValue(p.navn, `/archive/part/${i}/navn`);
  mustHaveValue(archive.dokumenter.skjemadata?.tittel, '/archive/dokumenter/skjemadata/tittel');
  const mappe = archive.saksmappe;
  if (mappe) {
    mustHaveValue(mappe.tittel, '/archive/saksmappe/tittel');
    mustHaveValue(mappe.offentligTittel, '/archive/saksmappe/offentligTittel');
    for (const [i, k] of (mappe.klassifikasjon ?? []).entries()) {
      mustHaveValue(k.klasseID, `/archive/saksmappe/klassifikasjon/${i}/klasseID`);
    }
    if ((mappe.strategy === 'external-key' || mappe.strategy === 'person') && !isExpression(mappe.noekkel)) {
      const missing = pathsOf(mappe.noekkel).filter((p) => isFormField(p) && !required.has(p));
      if (missing.length > 0) {
        issues.push({
          path: '/archive/saksmappe/noekkel',
          message: `the folder key must identify the folder: ${missing.join(', ')} must be in formData.required, or submissions without it would share one folder`,
        });
      }
    }
    if (mappe.strategy === 'property' || mappe.strategy === 'application') {
      for (const part of ['kommunenummer', 'gaardsnummer', 'bruksnummer'] as const) {
        mustHaveValue(mappe.matrikkelnummer[part], `/archive/saksmappe/matrikkelnummer/${part}`);
      }
      // The folder is the property's: one in another municipality than the form was sent to is another's case.
      const checked = new Set(d.formData.municipalityNumbers ?? []);
      const spec = mappe.matrikkelnummer.kommunenummer;
      const unchecked = isExpression(spec) ? [] : pathsOf(spec).filter((p) => isFormField(p) && !checked.has(p));
      if (unchecked.length > 0) {
        issues.push({
          path: '/archive/saksmappe/matrikkelnummer/kommunenummer',
          message: `the property must lie in the municipality the form is sent to: add ${unchecked.join(', ')} to formData.municipalityNumbers`,
        });
      }
    }
  }
  return issues;
}

/** Fields of the envelope are always there; everything else is the form's own. */
function isFormField(path: string): boolean {
  return !/^(trackingId|submissionId|formType|municipality|submittedAt|receivedAt|submitter\.name|gbnr)$/.test(path);
}

/**
 * Joins every deployment's form types with their definitions from `dir`, checks each pairing and (given
 * `checks.compileMappings`) compiles it. Returns the deployments as the hub runs them, and every issue found.
 */
export async function joinDefinitions(
  deployments: { file: string; config: DeploymentFile }[],
  dir: string,
  checks: ConfigChecks = {},
): Promise<{ deployments: { file: string; config: DeploymentConfig }[]; issues: FileIssue[] }> {
  const ids = [...new Set(deployments.flatMap((d) => d.config.formTypes.map((f) => f.id)))];
  const loaded = new Map(
    await Promise.all(ids.map(async (id) => [id, await loadDefinition(dir, id, checks)] as const)),
  );
  const issues: FileIssue[] = [...loaded.values()].flatMap((l) => l.issues);
  const seen = new Set(issues.map((i) => `${i.file}|${i.path}|${i.message}`));
  const add = (issue: FileIssue) => {
    const key = `${issue.file}|${issue.path}|${issue.message}`;
    if (!seen.has(key)) issues.push(issue);
    seen.add(key);
  };

  const joined = deployments.map(({ file, config }) => {
    const targets = new Map(config.targets.map((t) => [t.id, t]));
    const formTypes: FormType[] = [];
    config.formTypes.forEach((entry, f) => {
      const { definition, issues: own } = loaded.get(entry.id) ?? { issues: [] };
      if (!definition) {
        if (own.length === 0) {
          add({
            file,
            path: `/formTypes/${f}/id`,
            message: `form type "${entry.id}" has no mapping definition ${fileOf(entry.id)}`,
          });
        }
        return;
      }
      const formType: FormType = {
        ...entry,
        title: definition.title,
        formData: definition.formData,
        definition,
        owners: config.municipalities.filter((m) => entry.municipalities.includes(m.kommunenummer)),
      };
      for (const issue of checkPairing(entry, definition, targets, `/formTypes/${f}`)) {
        add({ file: issue.inDefinition ? fileOf(entry.id) : file, path: issue.path, message: issue.message });
      }
      for (const issue of checks.compileMappings?.(formType) ?? []) add({ file: fileOf(entry.id), ...issue });
      formTypes.push(formType);
    });
    return { file, config: { ...config, formTypes } };
  });
  return { deployments: joined, issues };
}

interface PairingIssue {
  path: string;
  message: string;
  /** The fault is in the definition file (else in the deployment file) */
  inDefinition?: boolean;
}

/** A deployment's routing and settings against the definition it routes. */
function checkPairing(
  entry: FormTypeEntry,
  definition: FormTypeDefinition,
  targets: Map<string, Target>,
  at: string,
): PairingIssue[] {
  const issues: PairingIssue[] = [];
  const archive = definition.archive;
  const settings = entry.archive;
  entry.deliveries.forEach((delivery, d) => {
    const target = targets.get(delivery.target);
    if (!target) return; // reported by the reference check
    if (target.kind === 'archive') {
      if (!archive) {
        issues.push({
          path: `${at}/deliveries/${d}/target`,
          message: `delivers to archive target "${target.id}", but ${fileOf(entry.id)} has no archive mapping`,
        });
      }
      if (!settings) {
        issues.push({
          path: `${at}/archive`,
          message: `delivers to archive target "${target.id}": needs archive settings (journalposttype, journalstatus …)`,
        });
      }
      if (archive && settings && target.format === 'eformidling') {
        for (const message of eFormidlingProblems(definition, entry)) {
          issues.push({
            path: `${at}/archive`,
            message: `archive target "${target.id}" receives eFormidling: ${message}`,
          });
        }
      }
      return;
    }
    const payload = definition.payloads?.[target.system];
    if (!payload) {
      issues.push({
        path: `${at}/deliveries/${d}/target`,
        message: `delivers to "${target.id}", but ${fileOf(entry.id)} has no payload for its system "${target.system}"`,
      });
      return;
    }
    const waitsForArchive = delivery.after !== undefined && targets.get(delivery.after)?.kind === 'archive';
    if (readsArchive(payload.template) && !waitsForArchive) {
      issues.push({
        path: `${at}/deliveries/${d}`,
        message: `the payload for "${target.system}" reads archive.* (the archive's references), so this delivery must wait for the archive delivery ("after")`,
      });
    }
  });

  if (archive && settings) {
    // A personnel matter is filed in its own arkivdel (personalarkiv), for every municipality of the form type.
    if (archive.personnel) {
      for (const m of entry.municipalities) {
        if (!(settings.perMunicipality?.[m]?.arkivdel ?? settings.arkivdel)) {
          issues.push({
            path: `${at}/archive/arkivdel`,
            message: `required: ${fileOf(entry.id)} is a personnel matter (archive.personnel), which is filed in its own arkivdel${entry.municipalities.length > 1 ? ` (missing for ${m})` : ''}`,
          });
          break;
        }
      }
    }
    for (const m of Object.keys(settings.perMunicipality ?? {})) {
      if (!entry.municipalities.includes(m)) {
        issues.push({
          path: `${at}/archive/perMunicipality/${m}`,
          message: `${m} is not one of this form type's municipalities (${entry.municipalities.join(', ')})`,
        });
      }
    }
  }
  if (archive && settings?.skjerming) {
    const screensTitle = settings.skjerming.skjermingMetadata.some((m) => m.toLowerCase() === 'tittel');
    // Without an offentligTittel, the public title is the title without its personal placeholders; an expression
    // cannot be taken apart that way.
    if (screensTitle && !archive.offentligTittel && isExpression(archive.tittel)) {
      issues.push({
        path: '/archive/offentligTittel',
        inDefinition: true,
        message: 'required: the configuration screens the title of this form type (skjermingMetadata "tittel")',
      });
    }
    if (
      screensTitle &&
      archive.saksmappe &&
      !archive.saksmappe.offentligTittel &&
      isExpression(archive.saksmappe.tittel)
    ) {
      issues.push({
        path: '/archive/saksmappe/offentligTittel',
        inDefinition: true,
        message: 'required: the configuration screens the title of this form type (skjermingMetadata "tittel")',
      });
    }
  }
  if (archive) {
    // The public title is what the public journal shows: it must not read what identifies the person.
    const personal = new Set<string>(definition.formData.nationalIds ?? []);
    for (const p of [...archive.korrespondansepart, ...(archive.part ?? [])]) {
      for (const spec of [p.navn, p.personid, p.organisasjonid])
        for (const path of pathsOf(spec ?? '')) personal.add(path);
    }
    for (const k of archive.saksmappe?.klassifikasjon ?? []) {
      if (k.skjermetKlasse) for (const path of pathsOf(k.klasseID)) personal.add(path);
    }
    for (const [field, spec] of [
      ['/archive/offentligTittel', archive.offentligTittel],
      ['/archive/saksmappe/offentligTittel', archive.saksmappe?.offentligTittel],
    ] as const) {
      const leaks = pathsOf(spec ?? '').filter((path) => personal.has(path));
      if (leaks.length > 0) {
        issues.push({
          path: field,
          inDefinition: true,
          message: `the public title must not show ${leaks.join(', ')}: it names or identifies the person`,
        });
      }
    }
  }
  return issues;
}

/** What eFormidling's arkivmelding cannot hold, found before anything is sent. */
function eFormidlingProblems(definition: FormTypeDefinition, entry: FormTypeEntry): string[] {
  const problems: string[] = [];
  const settings = entry.archive;
  const archive = definition.archive;
  if (!settings || !archive) return problems;
  const journalstatus = settings.journalstatus ?? 'M';
  if (!EFORMIDLING_CODES.journalstatus.includes(journalstatus)) {
    problems.push(`journalstatus "${journalstatus}" has no eFormidling value`);
  }
  for (const p of archive.korrespondansepart) {
    if (!EFORMIDLING_CODES.korrespondanseparttype.includes(p.type)) {
      problems.push(`korrespondanseparttype "${p.type}" has no eFormidling value`);
    }
  }
  const owners = entry.municipalities.map((m) => ({ ...settings, ...settings.perMunicipality?.[m] }));
  if (archive.saksmappe && owners.some((o) => !o.administrativEnhet || !o.saksansvarlig)) {
    problems.push('a saksmappe needs administrativEnhet and saksansvarlig (for every municipality)');
  }
  if (!archive.saksmappe && owners.some((o) => !o.arkivdel)) {
    problems.push('a journalpost without a saksmappe needs an arkivdel');
  }
  return problems;
}

/** Does a payload template read the archive's references (integration model 3)? */
function readsArchive(node: unknown): boolean {
  if (typeof node === 'string') {
    return isExpression(node) ? /\barchive\./.test(node) : pathsOf(node).some((p) => p.startsWith('archive.'));
  }
  if (Array.isArray(node)) return node.some(readsArchive);
  if (node && typeof node === 'object') return Object.values(node).some(readsArchive);
  return false;
}
