import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/cdk/build.ts';
import { loadDeployments } from '../../infra/cdk/deployments.ts';
import { FIKS_IO_CONFIG_PATH } from '../support/fiks-io-config.ts';
import { configFolder, demoConfig, setFiksIoVariables } from './support.ts';

/**
 * Every template the stacks make, linted by AWS's CloudFormation linter (cfn-lint, with the region's resource
 * specifications): the demo stacks, the Fiks IO demo stacks, and a stack with an HTTP archive, a token and a
 * webhook. The only finding allowed is W3005, CDK's own redundant DependsOn (a role's policy listed beside the
 * GetAtt that already orders it).
 */
const ALLOWED = new Set(['W3005']);

const templates: string[] = [];

async function synthTo(configPath: string): Promise<void> {
  const outdir = await mkdtemp(join(tmpdir(), 'skjemaflyt-cfn-lint-'));
  buildApp(await loadDeployments(configPath), { skipBundling: true, outdir }).app.synth();
  for (const file of await readdir(outdir)) if (file.endsWith('.template.json')) templates.push(join(outdir, file));
}

beforeAll(async () => {
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error('cfn-lint is not on PATH: install it (pip install cfn-lint) to lint the templates');
  }
  await synthTo((await import('../../shared/config/load.ts')).DEFAULT_CONFIG_PATH);
  setFiksIoVariables();
  await synthTo(FIKS_IO_CONFIG_PATH);
  const halden = await demoConfig('halden.json');
  const archive = halden.targets.find((t: any) => t.kind === 'archive');
  archive.transport = {
    type: 'http',
    url: 'https://arkiv.halden.example/fiks',
    timeoutMs: 10_000,
    auth: { header: 'authorization', scheme: 'Bearer', secret: { env: 'ARCHIVE_TOKEN' } },
  };
  archive.delivery.visibilityTimeoutSeconds = 200;
  halden.providers[0].webhook = { url: 'https://eskjema.example/hook', secret: { env: 'WEBHOOK_SECRET' } };
  halden.aws.tracing = false;
  await synthTo(await configFolder({ 'halden.json': halden }));
}, 240_000);

describe('cfn-lint', () => {
  it('finds nothing in any template but CDK’s redundant DependsOn (W3005)', () => {
    expect(templates).toHaveLength(6); // the demo deployments with their console hosting, the sandbox, and the variant above
    const lint = spawnSync('cfn-lint', ['--regions', 'eu-north-1', '--format', 'parseable', '--', ...templates], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    // Exit codes: 0 clean, bit 2 errors, 4 warnings, 8 informational; anything else is the linter failing.
    expect(lint.error).toBeUndefined();
    const findings = lint.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [file, , , , , rule, message] = line.split(':');
        return { file: file?.split('/').at(-1), rule, message };
      });
    // The parse reads cfn-lint's lines (CDK's W3005 is always among them), so an empty list means a clean lint.
    expect(findings.some((f) => f.rule === 'W3005')).toBe(true);
    expect(findings.filter((f) => !ALLOWED.has(f.rule ?? ''))).toEqual([]);
    expect(lint.status === 0 || lint.status === 4).toBe(true);
  }, 240_000);
});
