import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../infra/cdk/build.ts';
import { loadDeployments } from '../../infra/cdk/deployments.ts';
import { FUNCTIONS } from '../../infra/cdk/functions.ts';
import { type FunctionName, needsOf } from '../../shared/runtime/functions.ts';
import { FIKS_IO_CONFIG_PATH } from '../support/fiks-io-config.ts';
import { manyMunicipalities, setFiksIoVariables } from './support.ts';

const STACKS = 10;
const names = Object.keys(FUNCTIONS);

describe(`synthesising ${STACKS} municipality stacks`, () => {
  let outdir: string;
  let bundlings: string[];
  /** function name → the code asset (S3 key) each stack's function points at */
  const codeOf = new Map<string, Set<string>>();

  beforeAll(async () => {
    // Nine like Halden's demo, and Halden with its archive on Fiks IO (the only kind of stack with the receiver).
    const folder = await manyMunicipalities(STACKS - 1);
    await copyFile(join(FIKS_IO_CONFIG_PATH, 'halden.json'), join(folder, 'halden.json'));
    setFiksIoVariables();
    const deployments = await loadDeployments(folder);
    outdir = await mkdtemp(join(tmpdir(), 'skjemaflyt-cdk-out-'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const assembly = buildApp(deployments, { outdir }).app.synth();
      bundlings = stderr.mock.calls.map(([line]) => String(line)).filter((line) => line.startsWith('Bundling asset'));
      for (const stack of assembly.stacks) {
        for (const resource of Object.values(stack.template.Resources) as any[]) {
          if (resource.Type !== 'AWS::Lambda::Function' || !resource.Properties.Handler?.startsWith('functions/'))
            continue;
          const name = resource.Properties.Handler.split('/')[1];
          codeOf.set(name, (codeOf.get(name) ?? new Set()).add(resource.Properties.Code.S3Key));
        }
      }
      expect(assembly.stacks).toHaveLength(STACKS);
    } finally {
      stderr.mockRestore();
    }
  });

  it('bundles each function once, and every stack runs that same bundle', () => {
    expect(bundlings.filter((line) => line.includes('/Function/Code'))).toHaveLength(names.length);
    expect([...codeOf.keys()].sort()).toEqual([...names].sort());
    for (const keys of codeOf.values()) expect(keys.size).toBe(1);
    // Only the configuration layers differ between stacks.
    expect(bundlings.filter((line) => line.includes('/Configuration/Code'))).toHaveLength(STACKS);
  });

  it('produces bundles that load on Node.js 24 the way Lambda loads them (ES modules, AWS SDK inside)', () => {
    const bundles = names.map((name) => {
      const asset = `asset.${[...(codeOf.get(name) ?? [])][0]?.replace('.zip', '')}`;
      return pathToFileURL(join(outdir, asset, 'functions', name, 'index.mjs')).href;
    });
    const probe = `Promise.all(${JSON.stringify(bundles)}.map((b) => import(b).then((m) => typeof m.handler)))
      .then((types) => console.log(JSON.stringify(types)))`;
    // An empty NODE_PATH and a folder outside the repository: nothing but the bundle's own files can be found.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, NODE_PATH: '' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(names.map(() => 'function'));
  });

  it("gives every function the Lambda environment's credentials alone, not the SDK's default chain", () => {
    for (const name of names) {
      const asset = `asset.${[...(codeOf.get(name) ?? [])][0]?.replace('.zip', '')}`;
      const bundle = readFileSync(join(outdir, asset, 'functions', name, 'index.mjs'), 'utf8');
      // A function that reads only its configuration (form-types: no table, bucket or queue) has no SDK at all.
      if (needsOf(name as FunctionName).table !== 'none')
        expect(bundle, name).toContain('@aws-sdk/credential-provider-env - fromEnv');
      for (const chained of ['credential-provider-ini - fromIni', 'credential-provider-sso - fromSSO']) {
        expect(bundle, name).not.toContain(chained);
      }
    }
  });

  it('ships the Fiks Arkiv XSDs and xmllint-wasm where the archive delivery looks for them', () => {
    const asset = join(outdir, `asset.${[...(codeOf.get('deliver-archive') ?? [])][0]?.replace('.zip', '')}`);
    // shared/noark/validate.ts reads ../../schemas/fiks-arkiv-v1/ relative to the module: the bundle sits at
    // functions/deliver-archive/, two levels down, like its source.
    const schemas = new URL(
      '../../schemas/fiks-arkiv-v1/',
      pathToFileURL(join(asset, 'functions/deliver-archive/index.mjs')),
    );
    expect(existsSync(new URL('no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd', schemas))).toBe(true);
    expect(existsSync(new URL('metadatakatalog.xsd', schemas))).toBe(true);
    expect(readdirSync(join(asset, 'node_modules/xmllint-wasm'))).toEqual(
      expect.arrayContaining(['index-node.js', 'xmllint-node.js', 'xmllint.wasm']),
    );
  });

  it('ships what renders the form as PDF/A: the sRGB profile beside the bundle, the embedded fonts', () => {
    const asset = join(outdir, `asset.${[...(codeOf.get('deliver-archive') ?? [])][0]?.replace('.zip', '')}`);
    const bundle = pathToFileURL(join(asset, 'functions/deliver-archive/index.mjs'));
    // pdfkit reads new URL('./data/sRGB_IEC61966_2_1.icc', import.meta.url); form-pdf.ts resolves the fonts' package.
    expect(existsSync(new URL('./data/sRGB_IEC61966_2_1.icc', bundle))).toBe(true);
    const fonts = join(asset, 'node_modules/dejavu-fonts-ttf');
    expect(existsSync(join(fonts, 'package.json'))).toBe(true);
    expect(readdirSync(join(fonts, 'ttf')).sort()).toEqual(['DejaVuSans-Bold.ttf', 'DejaVuSans.ttf']);
  });
});
