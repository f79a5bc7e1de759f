import type { ErrorObject } from 'ajv';
import type { Issue } from '../mapping/compiler.ts';
import type { FormTypeDefinition } from '../mapping/definition.ts';
import { isValidOrganisationNumber } from '../submission/identifiers.ts';
import { KOMMUNENUMMER } from '../submission/kommunenummer.ts';
import type { DeploymentConfig, DeploymentFile, FormType } from './types.ts';

/** A JSON Schema validator compiled at build time (shared/validators/, npm run generate:validators). */
export type SchemaValidator<T> = ((data: unknown) => data is T) & { errors?: ErrorObject[] | null };

/**
 * What checking a configuration takes beyond reading it: its JSON Schemas and compiling its mappings. Synth, the
 * local tools and the tests check everything (load.ts). The functions read the files synth checked, shipped
 * unchanged in the configuration layer, and leave the schemas out: their generated validators would add ~140 KB
 * to every bundle. Only the functions that map compile the mappings (compileMappings in mapping/form-type.ts).
 */
export interface ConfigChecks {
  deploymentSchema?: SchemaValidator<DeploymentFile>;
  definitionSchema?: SchemaValidator<FormTypeDefinition>;
  compileMappings?: (formType: FormType) => Issue[];
}

/** Schema errors as issues naming the file and the field. */
export function schemaIssues(file: string, errors: ErrorObject[] | null | undefined) {
  return (errors ?? []).map((e) => ({
    file,
    path: e.instancePath,
    message:
      e.keyword === 'additionalProperties'
        ? `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : (e.message ?? 'invalid'),
  }));
}

type FileIssue = { file: string; path: string; message: string };

/**
 * What a deployment that is about to become an AWS stack must get right beyond its schema: mistakes that would
 * otherwise deploy without complaint and fail in production (issue 16). Each issue names the file and the field.
 * `regions` are the regions that exist (CDK's region facts, passed in by the synth).
 */
export function checkDeploymentForAws(
  file: string,
  config: DeploymentConfig,
  regions: ReadonlySet<string>,
): FileIssue[] {
  const issues: FileIssue[] = [];
  const add = (path: string, message: string) => issues.push({ file, path, message });

  // A file-drop target on Lambda writes to the instance's /tmp: the record is lost, yet recorded DELIVERED.
  if (config.demo !== true) {
    config.targets.forEach((target, i) => {
      if (target.transport.type === 'file-drop') {
        add(
          `/targets/${i}/transport/type`,
          "file-drop cannot deliver on AWS (it writes to the function's /tmp, which is lost, and the delivery would " +
            'be recorded DELIVERED); use http or fiks-io, or mark a demo stack with "demo": true',
        );
      }
    });
  }

  const orgnrs = new Set<string>();
  // A test environment may invent its municipalities in 99xx, a range SSB never gives (the sandbox: 9901–9903).
  const sandboxNumber = (n: string) => config.environment === 'test' && /^99\d\d$/.test(n);
  config.municipalities.forEach((m, i) => {
    if (!KOMMUNENUMMER.has(m.kommunenummer) && !sandboxNumber(m.kommunenummer)) {
      add(
        `/municipalities/${i}/kommunenummer`,
        `${m.kommunenummer} is not a Norwegian kommunenummer (SSB's list of municipalities, shared/submission/kommunenummer.ts; a test environment may use 9900–9999)`,
      );
    }
    if (!isValidOrganisationNumber(m.organisationNumber)) {
      add(
        `/municipalities/${i}/organisationNumber`,
        `${m.organisationNumber} is not a valid organisasjonsnummer (the control digit does not match)`,
      );
    }
    orgnrs.add(m.organisationNumber);
  });

  const region = config.aws?.region;
  if (region !== undefined && !regions.has(region)) {
    const near = [...regions].filter((r) => r.startsWith(region.split('-')[0] ?? '')).sort();
    add(
      '/aws/region',
      `${region} is not an AWS region${near.length > 0 ? ` (did you mean one of ${near.join(', ')}?)` : ''}`,
    );
  }

  config.targets.forEach((target, i) => {
    const t = target.transport;
    const at = `/targets/${i}/transport`;
    // (An http target or webhook URL, with or without a bearer token, is refused on AWS by infra/cdk/settings.ts.)
    if (t.type !== 'fiks-io') return;
    // The integration password goes over AMQP: TLS only (amqps://).
    if (!/^amqps:\/\//i.test(t.amqpUrl)) {
      add(`${at}/amqpUrl`, 'must use amqps:// on AWS (the Fiks IO integration password is sent over it)');
    }
    if ('organisasjonsnummer' in t.archive) {
      const orgnr = t.archive.organisasjonsnummer;
      if (!isValidOrganisationNumber(orgnr)) {
        add(
          `${at}/archive/organisasjonsnummer`,
          `${orgnr} is not a valid organisasjonsnummer (the control digit does not match)`,
        );
      } else if (!orgnrs.has(orgnr)) {
        add(
          `${at}/archive/organisasjonsnummer`,
          `${orgnr} is not one of this deployment's municipalities (${[...orgnrs].join(', ')}): the records would go to ` +
            "another organisation's archive",
        );
      }
    }
  });
  return issues;
}
