import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeployments } from '../../infra/cdk/deployments.ts';
import { refusalIssues } from '../support/config.ts';
import { configFolder, demoConfig } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** The demo configuration with one change to halden.json. */
async function withChangedHalden(change: (halden: any) => void): Promise<string> {
  const halden = await demoConfig('halden.json');
  change(halden);
  return configFolder({ 'halden.json': halden, 'innherred.json': await demoConfig('innherred.json') });
}

const issuesOf = (dir: string) => refusalIssues(() => loadDeployments(dir));

describe('a configuration mistake stops the synth, naming the file and the field', () => {
  it('an unknown target', async () => {
    const dir = await withChangedHalden((h) => {
      h.formTypes[0].deliveries[0].target = 'halden-arkivet';
    });
    expect(await issuesOf(dir)).toContainEqual({
      file: 'halden.json',
      path: '/formTypes/0/deliveries/0/target',
      message: 'unknown target "halden-arkivet"',
    });
  });

  it('a form type defined twice for the same municipality', async () => {
    const dir = await withChangedHalden((h) => {
      h.formTypes.push(structuredClone(h.formTypes[0]));
    });
    expect(await issuesOf(dir)).toContainEqual({
      file: 'halden.json',
      path: '/formTypes/3/id',
      message: 'form type "tt-kort-soknad" for municipality 3101 is also defined in halden.json',
    });
  });

  it('a malformed kommunenummer', async () => {
    const dir = await withChangedHalden((h) => {
      h.municipalities[0].kommunenummer = '31O1';
    });
    expect(await issuesOf(dir)).toContainEqual(
      expect.objectContaining({ file: 'halden.json', path: '/municipalities/0/kommunenummer' }),
    );
  });

  it('`npx cdk synth` prints the file and the field and fails', async () => {
    const dir = await withChangedHalden((h) => {
      h.formTypes[0].deliveries[0].target = 'halden-arkivet';
    });
    const synth = spawnSync(
      resolve(ROOT, 'node_modules/.bin/cdk'),
      ['synth', '--quiet', '--output', `${dir}/cdk.out`],
      {
        cwd: ROOT,
        env: { ...process.env, SKJEMAFLYT_CONFIG: dir, PATH: `${ROOT}/node_modules/.bin:${process.env.PATH}` },
        encoding: 'utf8',
      },
    );
    expect(synth.status).not.toBe(0);
    expect(synth.stderr).toContain('halden.json: /formTypes/0/deliveries/0/target: unknown target "halden-arkivet"');
  });
});

describe('what only AWS needs is checked at synth too', () => {
  it('the token issuers', async () => {
    const dir = await withChangedHalden((h) => {
      delete h.aws;
    });
    expect(await issuesOf(dir)).toEqual([expect.objectContaining({ file: 'halden.json', path: '/aws' })]);
  });

  it('a provider whose Maskinporten scope the authorizer would not let through', async () => {
    const dir = await withChangedHalden((h) => {
      h.aws.auth.providers.scopes = ['halden:skjemaflyt'];
      h.providers[1].maskinporten.scope = 'halden:intranett';
    });
    expect(await issuesOf(dir)).toEqual([
      expect.objectContaining({
        file: 'halden.json',
        path: '/providers/1/maskinporten/scope',
        message: expect.stringContaining('aws.auth.providers.scopes'),
      }),
    ]);
  });

  it('a maximum concurrency below what an SQS event source mapping takes', async () => {
    const dir = await withChangedHalden((h) => {
      h.targets[2].delivery.maxConcurrency = 1;
    });
    expect(await issuesOf(dir)).toEqual([
      expect.objectContaining({ file: 'halden.json', path: '/targets/2/delivery/maxConcurrency' }),
    ]);
  });

  it('a visibility timeout too short for an HTTP target (six times the function timeout it needs)', async () => {
    const dir = await withChangedHalden((h) => {
      h.targets[0].transport = { type: 'http', url: 'https://arkiv.halden.example/fiks', timeoutMs: 10_000 };
    });
    const [issue, ...others] = await issuesOf(dir);
    expect(others).toEqual([]);
    expect(issue).toMatchObject({ file: 'halden.json', path: '/targets/0/delivery/visibilityTimeoutSeconds' });
    expect(issue?.message).toMatch(/^must be at least 90 on AWS/);
  });

  it('a target or a webhook over plain http (allowed to 127.0.0.1 in the local runner only)', async () => {
    const dir = await withChangedHalden((h) => {
      h.targets[0].transport = { type: 'http', url: 'http://127.0.0.1:8099/fiks', timeoutMs: 10_000 };
      h.targets[0].delivery.visibilityTimeoutSeconds = 120;
      h.providers[0].webhook = { url: 'http://localhost:9000/hook', secret: { env: 'WEBHOOK_SECRET' } };
    });
    const issues = await issuesOf(dir);
    expect(issues.map((i) => i.path).sort()).toEqual(['/providers/0/webhook/url', '/targets/0/transport/url']);
    expect(issues[0]).toMatchObject({ file: 'halden.json', message: expect.stringMatching(/^must use https on AWS/) });
  });

  it('retries that would outlast the queue (messages would expire instead of being dead-lettered)', async () => {
    const dir = await withChangedHalden((h) => {
      h.targets[1].delivery.maxAttempts = 40;
      h.targets[1].delivery.retry = { firstDelaySeconds: 60, factor: 2, maxDelaySeconds: 43200 };
    });
    expect(await issuesOf(dir)).toEqual([
      expect.objectContaining({
        file: 'halden.json',
        path: '/targets/1/delivery',
        message: expect.stringMatching(/14 days/),
      }),
    ]);
  });

  it('throttling for a route the API does not have', async () => {
    const dir = await withChangedHalden((h) => {
      h.aws.throttling = { routes: { 'POST /v1/submission': { rateLimit: 5, burstLimit: 10 } } };
    });
    expect(await issuesOf(dir)).toEqual([
      expect.objectContaining({ file: 'halden.json', path: '/aws/throttling/routes/POST ~1v1~1submission' }),
    ]);
  });
});
