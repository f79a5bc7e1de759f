import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import jsonata from 'jsonata';
import { check, type Diagnostics } from 'recheck';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRoute } from '../../infra/local/http-server.ts';
import { ROUTES } from '../../shared/config/plan.ts';
import { NC_NAME } from '../../shared/mapping/fagsystem.ts';

/**
 * Regular-expression denial of service, as a class: every regular expression that can see a request, a stored
 * submission, a target's answer or a log line goes through recheck (an analyser that finds the inputs on which a
 * backtracking engine takes super-linear time), and each must be safe. Collected, not listed, so a new one cannot
 * slip past: every "pattern" in the schemas and the formats they use, every regular expression literal (and every
 * string turned into one) in the code, the local runner's routes, and the JSONata expressions of every form type.
 * A penetration test found the first: the envelope's base64 pattern held the process for 5 s per 200 KB request.
 */

const REPO = resolve(import.meta.dirname, '../..');

interface Found {
  where: string;
  source: string;
  flags: string;
}

// ---- collecting ----

function* filesUnder(dir: string, extension: RegExp): Generator<string> {
  for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path, extension);
    else if (extension.test(entry.name)) yield path;
  }
}

/** Every string value of a "pattern" keyword in a JSON Schema (and every "format" it names). */
function schemaKeywords(file: string): { patterns: Found[]; formats: Set<string> } {
  const patterns: Found[] = [];
  const formats = new Set<string>();
  const walk = (node: unknown, pointer: string) => {
    if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        // ajv compiles patterns with the u flag (its default, unicodeRegExp).
        if (key === 'pattern' && typeof value === 'string') {
          patterns.push({ where: `${file}#${pointer}`, source: value, flags: 'u' });
        } else if (key === 'format' && typeof value === 'string') formats.add(value);
        else walk(value, `${pointer}/${key}`);
      }
    }
  };
  walk(JSON.parse(readFileSync(join(REPO, file), 'utf8')), '');
  return { patterns, formats };
}

/** `pattern: "…"` in the OpenAPI document (YAML; its patterns are single-line JSON strings). */
function openApiPatterns(): Found[] {
  const file = 'schemas/openapi.yaml';
  return readFileSync(join(REPO, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      const at = line.indexOf('pattern: "');
      if (at < 0) return [];
      const rest = line.slice(at + 'pattern: '.length);
      const end = rest.indexOf('"', 1);
      return [{ where: `${file}:${i + 1}`, source: JSON.parse(rest.slice(0, end + 1)) as string, flags: 'u' }];
    });
}

/**
 * Regular expressions in TypeScript or JavaScript source: literals, `new RegExp("…")` / `RegExp("…")` with a
 * constant, and strings passed to match / matchAll / search (which turn them into one). A RegExp built from
 * anything else is reported in `dynamic`, for the test to account for.
 */
function sourceRegexes(file: string): { found: Found[]; dynamic: string[] } {
  const text = readFileSync(join(REPO, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const dynamic: string[] = [];
  const where = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const constant = (node: ts.Node | undefined) =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const visit = (node: ts.Node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText();
      const end = literal.lastIndexOf('/');
      found.push({ where: where(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'RegExp'
    ) {
      const [pattern, flags] = node.arguments ?? [];
      const value = constant(pattern);
      if (value === undefined) dynamic.push(where(node));
      else found.push({ where: where(node), source: value, flags: constant(flags) ?? '' });
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ['match', 'matchAll', 'search'].includes(node.expression.name.text)
    ) {
      const value = constant(node.arguments[0]);
      if (value !== undefined) found.push({ where: where(node), source: value, flags: '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { found, dynamic };
}

/** Regular expressions in a JSONata expression ("{% … %}" in a mapping definition), from its syntax tree. */
function jsonataRegexes(expression: string, where: string): Found[] {
  const found: Found[] = [];
  const walk = (node: unknown) => {
    if (node instanceof RegExp) found.push({ where, source: node.source, flags: node.flags });
    else if (node && typeof node === 'object') for (const value of Object.values(node)) walk(value);
  };
  walk(jsonata(expression).ast());
  return found;
}

/** Every JSONata expression in the form types (the demo's and the test fixtures'). */
function formTypeRegexes(): { expressions: number; found: Found[] } {
  let expressions = 0;
  const found: Found[] = [];
  const files = [...filesUnder('config', /\.json$/), ...filesUnder('test/fixtures', /\.json$/)];
  for (const file of files) {
    const walk = (node: unknown, pointer: string) => {
      if (typeof node === 'string') {
        const trimmed = node.trim();
        if (trimmed.startsWith('{%') && trimmed.endsWith('%}')) {
          expressions++;
          found.push(...jsonataRegexes(trimmed.slice(2, -2), `${file}#${pointer}`));
        }
      } else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) walk(v, `${pointer}/${k}`);
      }
    };
    walk(JSON.parse(readFileSync(join(REPO, file), 'utf8')), '');
  }
  return { expressions, found };
}

/** ajv-formats' module, and its regular expressions by the constant that holds each. */
function formatModule(): { constants: Map<string, Found> } {
  const file = 'node_modules/ajv-formats/dist/formats.js';
  const source = ts.createSourceFile(file, readFileSync(join(REPO, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const constants = new Map<string, Found>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer?.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = d.initializer.getText();
        const end = literal.lastIndexOf('/');
        constants.set(d.name.text, {
          where: `${file} ${d.name.text}`,
          source: literal.slice(1, end),
          flags: literal.slice(end + 1),
        });
      }
    }
  }
  return { constants };
}

/**
 * Formats that ajv-formats implements as functions, and the regular expressions each runs. (Not the whole module:
 * some formats no schema uses, such as uri, are too large for the checker to finish.)
 */
const FORMAT_FUNCTIONS: Record<string, string[]> = {
  'date-time': ['DATE_TIME_SEPARATOR', 'DATE', 'TIME'],
};

const SCHEMAS = ['schemas/submission.schema.json', 'schemas/form-type.schema.json', 'schemas/config.schema.json'];
/** Everything that runs: the functions, the shared code, the local runner and CDK app, the console's scripts. */
const CODE = [
  ...filesUnder('shared', /(?<!\.d)\.ts$/),
  ...filesUnder('functions', /\.ts$/),
  ...filesUnder('infra', /\.ts$/),
  ...filesUnder('console', /\.js$/),
].filter((f) => !f.startsWith('shared/validators/'));

/**
 * RegExps built at run time, and what is done about each. The routes are checked below as they are compiled.
 */
const DYNAMIC_ALLOWED: Record<string, string> = {
  'infra/local/http-server.ts': "compileRoute: the hub's own routes, each compiled and checked in this file",
  'shared/mapping/fagsystem.ts': "NC_NAME: XML's Name production, built from constants; checked below",
};

// ---- checking ----

/**
 * No time limits, so a loaded machine gets the same verdicts as an idle one: the automaton checker is exact and
 * counts nothing in time; the fuzzer, for what the automaton cannot model (look-around), is seeded and bounded by
 * the characters its VM reads, not by the clock. (Recall validation, running an attack on a real engine, stays off.)
 */
const NO_CLOCK = {
  timeout: null,
  attackTimeout: null,
  incubationTimeout: null,
  seedingTimeout: null,
  randomSeed: 0,
};

async function verdict(source: string, flags: string): Promise<Diagnostics> {
  const exact = await check(source, flags, { ...NO_CLOCK, checker: 'automaton' });
  if (exact.status !== 'unknown' || exact.error.kind !== 'unsupported') return exact;
  return check(source, flags, { ...NO_CLOCK, checker: 'fuzz' });
}

async function verdicts(found: Found[]): Promise<{ found: Found; diagnostics: Diagnostics }[]> {
  const cache = new Map<string, Diagnostics>();
  const out: { found: Found; diagnostics: Diagnostics }[] = [];
  // One at a time: the checker is one process (or worker), and a crowd of checks only waits in its queue.
  for (const f of found) {
    const key = `${f.flags}/${f.source}`;
    let diagnostics = cache.get(key);
    if (!diagnostics) {
      diagnostics = await verdict(f.source, f.flags);
      cache.set(key, diagnostics);
    }
    out.push({ found: f, diagnostics });
  }
  return out;
}

function unsafe(results: { found: Found; diagnostics: Diagnostics }[]): string[] {
  return results
    .filter((r) => r.diagnostics.status !== 'safe')
    .map(({ found, diagnostics: d }) => {
      const why =
        d.status === 'vulnerable'
          ? `${d.complexity.summary}, e.g. ${JSON.stringify(d.attack.pattern)}`
          : d.status === 'unknown'
            ? d.error.kind
            : '';
      return `${found.where}: /${found.source}/${found.flags}: ${d.status} (${why})`;
    });
}

/**
 * recheck runs its native checker (the recheck-linux-x64 package) as a child process it never stops; this test
 * started it, so this test ends it, by its process id. Without the native binary recheck falls back to its
 * JavaScript build in a worker (slower, same verdicts); RECHECK_BACKEND=pure|worker|native chooses.
 */
afterAll(() => {
  let children = '';
  try {
    children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return; // no children (ps exits 1), or no ps
  }
  for (const line of children.split('\n')) {
    const [pid, command] = line.trim().split(/\s+/);
    if (command === 'recheck' && pid) process.kill(Number(pid));
  }
});

describe('regular expressions that see input cannot be made to backtrack (ReDoS)', () => {
  it('recheck finds the pattern the penetration test used, and the classic ones (the checker works here)', async () => {
    const results = await verdicts([
      { where: 'the old contentBase64 pattern', source: '^[A-Za-z0-9+/\\r\\n]+={0,2}\\s*$', flags: 'u' },
      { where: 'nested quantifiers', source: '^(a+)+$', flags: '' },
      { where: 'a trailing trim', source: '[. ]+$', flags: '' },
    ]);
    expect(results.map((r) => r.diagnostics.status)).toEqual(['vulnerable', 'vulnerable', 'vulnerable']);
    const [base64] = results;
    expect(base64?.diagnostics).toMatchObject({ complexity: { type: 'polynomial' } });
  }, 600_000);

  it('every "pattern" in the schemas (submission, form type, configuration, OpenAPI) is safe', async () => {
    const found = [...SCHEMAS.flatMap((f) => schemaKeywords(f).patterns), ...openApiPatterns()];
    expect(found.length).toBeGreaterThanOrEqual(25);
    expect(found.some((f) => f.where.startsWith('schemas/submission.schema.json#/properties/attachments'))).toBe(true);
    expect(unsafe(await verdicts(found))).toEqual([]);
  }, 600_000);

  it('the formats the schemas use are safe', async () => {
    const used = [...new Set(SCHEMAS.flatMap((f) => [...schemaKeywords(f).formats]))].sort();
    expect(used).toEqual(expect.arrayContaining(['date-time', 'email']));
    const found: Found[] = [];
    const { constants } = formatModule();
    for (const format of used) {
      const definition = (fullFormats as Record<string, unknown>)[format];
      if (definition instanceof RegExp) {
        found.push({ where: `format ${format}`, source: definition.source, flags: definition.flags });
        continue;
      }
      // A format that is a function: the regular expressions it runs, by name in ajv-formats' module.
      const names = FORMAT_FUNCTIONS[format];
      expect(names, `format "${format}" is a function: name its regular expressions in FORMAT_FUNCTIONS`).toBeDefined();
      for (const name of names ?? []) {
        const regex = constants.get(name);
        expect(regex, `${name} in ajv-formats`).toBeDefined();
        if (regex) found.push(regex);
      }
    }
    expect(unsafe(await verdicts(found))).toEqual([]);
  }, 600_000);

  it('every regular expression in the code is safe, and none is built from data', async () => {
    const all = CODE.map(sourceRegexes);
    const found = all.flatMap((r) => r.found);
    // The modules the penetration test named are among them (the form rules read paths compiled in values.ts).
    for (const module of [
      'shared/submission/xml-guard.ts',
      'shared/submission/filenames.ts',
      'shared/submission/text.ts',
      'shared/submission/envelope.ts',
      'shared/submission/form-data.ts',
      'shared/runtime/redact.ts',
      'shared/mapping/values.ts',
    ]) {
      expect(
        found.some((f) => f.where.startsWith(`${module}:`)),
        module,
      ).toBe(true);
    }
    expect(found.length).toBeGreaterThanOrEqual(100);
    const dynamic = all
      .flatMap((r) => r.dynamic)
      .filter((where) => !((where.split(':')[0] as string) in DYNAMIC_ALLOWED));
    expect(dynamic).toEqual([]);
    expect(unsafe(await verdicts(found))).toEqual([]);
  }, 600_000);

  it('the XML name check of specialist-system payloads is safe', async () => {
    const found = [{ where: 'NC_NAME', source: NC_NAME.source, flags: NC_NAME.flags }];
    expect(unsafe(await verdicts(found))).toEqual([]);
  }, 600_000);

  it('the routes the local runner compiles to RegExps are safe', async () => {
    const routes = [...ROUTES, { method: 'GET', path: '/files/{proxy+}' }].map((r) =>
      compileRoute({ method: r.method, path: r.path, functionName: 'x', handler: async () => ({}) }),
    );
    const found = routes.map((r) => ({ where: r.routeKey, source: r.pattern.source, flags: r.pattern.flags }));
    expect(unsafe(await verdicts(found))).toEqual([]);
  }, 600_000);

  it('every JSONata expression of every form type is safe (and a regex in one is found)', async () => {
    expect(jsonataRegexes('$match(navn, /^(a+)+$/i)', 'probe')).toEqual([
      { where: 'probe', source: '^(a+)+$', flags: expect.stringContaining('i') },
    ]);
    const { expressions, found } = formTypeRegexes();
    expect(expressions).toBeGreaterThanOrEqual(2);
    expect(unsafe(await verdicts(found))).toEqual([]);
  }, 600_000);
});
