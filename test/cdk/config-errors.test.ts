import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeployments } from '../../infra/cdk/deployments.ts';
import { refusalIssues } from '../support/config.ts';
import { FIKS_IO_CONFIG_PATH } from '../support/fiks-io-config.ts';
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
    expect(issue?.message).toMatch(/^must be at least 138 on AWS/);
  });

  it('a target or a webhook over plain http (allowed to 127.0.0.1 in the local runner only)', async () => {
    const dir = await withChangedHalden((h) => {
      h.targets[0].transport = { type: 'http', url: 'http://127.0.0.1:8099/fiks', timeoutMs: 10_000 };
      h.targets[0].delivery.visibilityTimeoutSeconds = 200;
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

  it('a file-drop target, unless the deployment says it is a demo stack', async () => {
    const dir = await withChangedHalden((h) => {
      delete h.demo;
    });
    const issues = await issuesOf(dir);
    expect(issues.map((i) => `${i.file} ${i.path}`)).toEqual(
      [0, 1, 2, 3].map((i) => `halden.json /targets/${i}/transport/type`),
    );
    expect(issues[0]?.message).toMatch(/^file-drop cannot deliver on AWS .*"demo": true/);
    // The demo stacks say so, and synth them.
    expect((await demoConfig('halden.json')).demo).toBe(true);
  });

  it('a kommunenummer that is well-formed but no Norwegian municipality', async () => {
    const dir = await withChangedHalden((h) => {
      h.municipalities[0].kommunenummer = '3102';
      h.formTypes.forEach((f: any) => {
        f.municipalities = ['3102'];
      });
      h.providers.forEach((p: any) => {
        p.grants[0].municipality = '3102';
      });
      h.staff.access.forEach((a: any) => {
        a.municipalities = ['3102'];
      });
    });
    expect(await issuesOf(dir)).toEqual([
      {
        file: 'halden.json',
        path: '/municipalities/0/kommunenummer',
        message: expect.stringMatching(/^3102 is not a Norwegian kommunenummer/),
      },
    ]);
  });

  it("a municipality's organisation number with a wrong check digit", async () => {
    const dir = await withChangedHalden((h) => {
      h.municipalities[0].organisationNumber = '959159093';
    });
    expect(await issuesOf(dir)).toEqual([
      {
        file: 'halden.json',
        path: '/municipalities/0/organisationNumber',
        message: '959159093 is not a valid organisasjonsnummer (the control digit does not match)',
      },
    ]);
  });

  it('a region that does not exist', async () => {
    const dir = await withChangedHalden((h) => {
      h.aws.region = 'eu-nort-1';
    });
    const issues = await issuesOf(dir);
    expect(issues).toEqual([expect.objectContaining({ file: 'halden.json', path: '/aws/region' })]);
    expect(issues[0]?.message).toMatch(/^eu-nort-1 is not an AWS region \(did you mean one of .*eu-north-1/);
  });

  it('an http:// target URL that would carry a bearer token over the network', async () => {
    const dir = await withChangedHalden((h) => {
      h.targets[0].transport = {
        type: 'http',
        url: 'http://arkiv.halden.example/fiks',
        timeoutMs: 10_000,
        auth: { header: 'authorization', scheme: 'Bearer', secret: { env: 'ARCHIVE_TOKEN' } },
      };
      h.targets[0].delivery.visibilityTimeoutSeconds = 200;
    });
    // The schema already refuses it (https, or http to loopback for the local runner only), naming the field.
    expect(await issuesOf(dir)).toContainEqual(
      expect.objectContaining({
        file: 'halden.json',
        path: '/targets/0/transport/url',
        message: expect.stringMatching(/https/),
      }),
    );
  });

  it('a Fiks IO archive of an organisation that is not in the deployment, or over plain AMQP', async () => {
    process.env.SKJEMAFLYT_FIKS_IO_API_URL = 'https://api.fiks.test.ks.no';
    process.env.SKJEMAFLYT_FIKS_IO_AMQP_URL = 'amqp://io.fiks.test.ks.no:5672';
    process.env.SKJEMAFLYT_MASKINPORTEN_TOKEN_URL = 'https://test.maskinporten.no/token';
    process.env.SKJEMAFLYT_MASKINPORTEN_ISSUER = 'https://test.maskinporten.no/';
    const innherred = JSON.parse(await readFile(join(FIKS_IO_CONFIG_PATH, 'innherred.json'), 'utf8'));
    const archive = innherred.targets.find((t: any) => t.transport.type === 'fiks-io');
    // Halden's organisation number: a real one, and not Levanger's or Verdal's.
    archive.transport.archive.organisasjonsnummer = '959159092';
    const at = `/targets/${innherred.targets.indexOf(archive)}/transport`;
    const issues = await issuesOf(await configFolder({ 'innherred.json': innherred }, FIKS_IO_CONFIG_PATH));
    expect(issues.map((i) => `${i.file} ${i.path}`).sort()).toEqual([
      `innherred.json ${at}/amqpUrl`,
      `innherred.json ${at}/archive/organisasjonsnummer`,
    ]);
    expect(issues.find((i) => i.path.endsWith('organisasjonsnummer'))?.message).toMatch(
      /^959159092 is not one of this deployment's municipalities \(938587418, 938587051\)/,
    );
  });

  it("the console's domain without a certificate, a certificate outside us-east-1, a web ACL that is not CloudFront's", async () => {
    const dir = await withChangedHalden((h) => {
      h.aws.console = {
        domainName: 'skjemaflyt.halden.kommune.no',
        webAclArn: 'arn:aws:wafv2:eu-north-1:123456789012:regional/webacl/x/0d8f7e2c-1b3a-4c5d-9e6f-7a8b9c0d1e2f',
      };
    });
    expect((await issuesOf(dir)).map((i) => `${i.file} ${i.path}`).sort()).toEqual([
      'halden.json /aws/console/certificateArn',
      'halden.json /aws/console/webAclArn',
    ]);
    const other = await withChangedHalden((h) => {
      h.aws.console = {
        domainName: 'skjemaflyt.halden.kommune.no',
        certificateArn: 'arn:aws:acm:eu-north-1:123456789012:certificate/0d8f7e2c-1b3a-4c5d-9e6f-7a8b9c0d1e2f',
      };
    });
    expect(await issuesOf(other)).toEqual([
      expect.objectContaining({ path: '/aws/console/certificateArn', message: expect.stringContaining('us-east-1') }),
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
