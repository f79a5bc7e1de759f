import { compileTemplate, compileValue } from '../mapping/values.ts';
import type { ArchiveMapping, DeploymentConfig, ValueSpec } from './types.ts';

type Issue = { file: string; path: string; message: string };

/** What a JSON Schema cannot say: ids that must exist, be unique, and mappings that must compile. */
export function checkReferences(deployments: { file: string; config: DeploymentConfig }[]): Issue[] {
  const issues: Issue[] = [];
  const seen = {
    deployment: new Map<string, string>(),
    target: new Map<string, string>(),
    route: new Map<string, string>(),
  };
  const once = (kind: keyof typeof seen, key: string, file: string, path: string, what: string) => {
    const other = seen[kind].get(key);
    if (other) issues.push({ file, path, message: `${what} is also defined in ${other}` });
    else seen[kind].set(key, file);
  };

  for (const { file, config } of deployments) {
    const add = (path: string, message: string) => issues.push({ file, path, message });
    once('deployment', config.deployment, file, '/deployment', `deployment "${config.deployment}"`);
    const municipalities = new Set(config.municipalities.map((m) => m.kommunenummer));
    const targets = new Map(config.targets.map((t) => [t.id, t]));
    config.targets.forEach((t, i) => {
      once('target', t.id, file, `/targets/${i}/id`, `target "${t.id}"`);
    });

    config.formTypes.forEach((formType, f) => {
      const at = `/formTypes/${f}`;
      formType.municipalities.forEach((m, i) => {
        if (!municipalities.has(m)) add(`${at}/municipalities/${i}`, `municipality ${m} is not in this deployment`);
        once('route', `${m}/${formType.id}`, file, `${at}/id`, `form type "${formType.id}" for municipality ${m}`);
      });
      const routed = new Set(formType.deliveries.map((d) => d.target));
      formType.deliveries.forEach((delivery, d) => {
        const target = targets.get(delivery.target);
        if (!target) {
          add(`${at}/deliveries/${d}/target`, `unknown target "${delivery.target}"`);
          return;
        }
        if (target.kind === 'archive' && !formType.archive) {
          add(`${at}/archive`, `form type delivers to archive target "${target.id}" but has no archive mapping`);
        }
        if (target.kind === 'fagsystem' && !formType.fagsystem?.[target.id]) {
          add(`${at}/fagsystem`, `form type delivers to "${target.id}" but has no payload mapping for it`);
        }
        if (delivery.after) {
          if (!routed.has(delivery.after) || delivery.after === delivery.target) {
            add(`${at}/deliveries/${d}/after`, `"${delivery.after}" is not another delivery of this form type`);
          } else if (targets.get(delivery.after)?.kind !== 'archive') {
            add(`${at}/deliveries/${d}/after`, `"${delivery.after}" must be an archive target`);
          } else if (formType.deliveries.find((x) => x.target === delivery.after)?.after) {
            add(
              `${at}/deliveries/${d}/after`,
              `"${delivery.after}" itself waits for another delivery; chains are one step`,
            );
          }
        }
      });
      if (routed.size !== formType.deliveries.length) add(`${at}/deliveries`, 'a target is listed twice');
      if (formType.archive) {
        for (const [path, spec] of archiveValueSpecs(formType.archive, `${at}/archive`)) {
          checkSpec(compileValue, spec, path, add);
        }
      }
      for (const [id, mapping] of Object.entries(formType.fagsystem ?? {})) {
        if (!routed.has(id)) add(`${at}/fagsystem/${id}`, `payload mapping for "${id}", which is not a delivery`);
        for (const [path, spec] of strings(mapping.template, `${at}/fagsystem/${id}/template`)) {
          checkSpec(compileTemplate, spec, path, add);
        }
      }
    });

    config.providers.forEach((provider, p) => {
      provider.grants.forEach((grant, g) => {
        const at = `/providers/${p}/grants/${g}`;
        if (!municipalities.has(grant.municipality)) {
          add(`${at}/municipality`, `municipality ${grant.municipality} is not in this deployment`);
        }
        grant.formTypes.forEach((id, i) => {
          const formType = config.formTypes.find((ft) => ft.id === id);
          if (!formType) add(`${at}/formTypes/${i}`, `unknown form type "${id}"`);
          else if (!formType.municipalities.includes(grant.municipality)) {
            add(`${at}/formTypes/${i}`, `form type "${id}" is not offered in municipality ${grant.municipality}`);
          }
        });
      });
    });
  }
  return issues;
}

function checkSpec(
  compile: (spec: string) => unknown,
  spec: ValueSpec,
  path: string,
  add: (path: string, message: string) => void,
): void {
  try {
    compile(spec);
  } catch (error) {
    add(path, (error as Error).message);
  }
}

/** The value specs of an archive mapping (codes and fixed texts left out), with their JSON pointers. */
function* archiveValueSpecs(archive: ArchiveMapping, at: string): Generator<[string, string]> {
  yield [`${at}/tittel`, archive.tittel];
  if (archive.offentligTittel) yield [`${at}/offentligTittel`, archive.offentligTittel];
  for (const [i, part] of archive.korrespondansepart.entries()) {
    const { type: _code, ...values } = part;
    yield* strings(values, `${at}/korrespondansepart/${i}`);
  }
  const mappe = archive.saksmappe;
  if (mappe) {
    const { strategy: _s, administrativEnhet: _a, saksansvarlig: _r, klassifikasjon = [], ...values } = mappe;
    yield* strings(values, `${at}/saksmappe`);
    for (const [i, { klassifikasjonssystem: _k, skjermetKlasse: _x, ...k }] of klassifikasjon.entries()) {
      yield* strings(k, `${at}/saksmappe/klassifikasjon/${i}`);
    }
  }
}

/** Every string leaf, with its JSON pointer. */
function* strings(node: unknown, path: string): Generator<[string, string]> {
  if (typeof node === 'string') yield [path, node];
  else if (Array.isArray(node)) for (const [i, v] of node.entries()) yield* strings(v, `${path}/${i}`);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) yield* strings(v, `${path}/${k}`);
  }
}
