import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * The hub's answers checked against schemas/openapi.yaml, as a provider's client trusts them: the response schema
 * of (path, method, status, media type), with the description's components, in JSON Schema 2020-12 (OpenAPI 3.1).
 */
export const OPENAPI_PATH = resolve(import.meta.dirname, '../../../schemas/openapi.yaml');

type Json = Record<string, any>;

export function loadOpenApi(): Json {
  return parse(readFileSync(OPENAPI_PATH, 'utf8'));
}

export function contract(doc: Json = loadOpenApi()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const ROOT = 'https://skjemaflyt.no/openapi.json';
  // The components' schemas as $defs of one schema, their refs rewritten to match.
  const rewrite = (value: unknown): any =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', `"${ROOT}#/$defs/`));
  ajv.addSchema({ $id: ROOT, $defs: rewrite(doc.components.schemas) });
  const cache = new Map<string, ValidateFunction>();
  const resolveRef = (value: Json): Json =>
    value.$ref
      ? resolveRef(
          value.$ref
            .split('/')
            .slice(1)
            .reduce((o: Json, k: string) => o[k], doc),
        )
      : value;

  /** The errors of `value` against one of the description's component schemas (e.g. a webhook's event). */
  const schema = (name: string, value: unknown): string[] => {
    const validate = ajv.getSchema(`${ROOT}#/$defs/${name}`);
    if (!validate) return [`no schema ${name} in the description`];
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} (${name})`);
  };

  /** The errors of `body` against the description's schema for this answer; [] when it holds. */
  return Object.assign(check, { schema });
  function check(
    path: string,
    method: string,
    status: number,
    body: unknown,
    mediaType = status >= 400 ? 'application/problem+json' : 'application/json',
  ): string[] {
    const key = `${method} ${path} ${status} ${mediaType}`;
    let validate = cache.get(key);
    if (!validate) {
      const operation = doc.paths[path]?.[method.toLowerCase()];
      if (!operation) return [`no operation ${method} ${path} in the description`];
      const response = operation.responses[String(status)];
      if (!response) return [`no response ${status} for ${method} ${path} in the description`];
      const schema = resolveRef(response).content?.[mediaType]?.schema;
      if (!schema) return [`no ${mediaType} schema for ${status} of ${method} ${path}`];
      validate = ajv.compile(rewrite(schema));
      cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} (${key})`);
  }
}
