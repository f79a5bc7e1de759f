import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { planHub } from '../../shared/config/plan.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { refusalIssues } from '../support/config.ts';

async function withChangedDemo(
  change: (halden: any) => void,
  changeDefinitions: (definitions: Record<string, any>) => void = () => {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-config-'));
  const halden = JSON.parse(await readFile(join(DEFAULT_CONFIG_PATH, 'halden.json'), 'utf8'));
  change(halden);
  await writeFile(join(dir, 'halden.json'), JSON.stringify(halden));
  await cp(join(DEFAULT_CONFIG_PATH, 'form-types'), join(dir, 'form-types'), { recursive: true });
  const definitions: Record<string, any> = {};
  for (const id of ['tt-kort-soknad', 'melding-vei-gatelys', 'a-skjema-tilsetting']) {
    definitions[id] = JSON.parse(await readFile(join(dir, 'form-types', `${id}.json`), 'utf8'));
  }
  changeDefinitions(definitions);
  for (const [id, definition] of Object.entries(definitions)) {
    await writeFile(join(dir, 'form-types', `${id}.json`), JSON.stringify(definition));
  }
  return dir;
}

const issuesOf = (dir: string) => refusalIssues(() => loadHubConfig(dir));

describe('configuration', () => {
  it('loads the demo configuration: three municipalities, four form types, the providers of the brief', async () => {
    const registry = buildRegistry(await loadHubConfig());
    expect(['3101', '5037', '5038'].map((m) => registry.municipality(m)?.name)).toEqual([
      'Halden kommune',
      'Levanger kommune',
      'Verdal kommune',
    ]);
    expect(registry.mayProviderSubmit('eskjema', '5038', 'soknad-tiltak-uten-ansvarsrett')).toBe(true);
    expect(registry.mayProviderSubmit('eskjema', '3101', 'a-skjema-tilsetting')).toBe(false);
    expect(registry.mayProviderSubmit('halden-intranett', '3101', 'a-skjema-tilsetting')).toBe(true);
    // Levanger and Verdal share the samkommune's building archive.
    expect(registry.formType('5037', 'soknad-tiltak-uten-ansvarsrett')?.deliveries).toEqual(
      registry.formType('5038', 'soknad-tiltak-uten-ansvarsrett')?.deliveries,
    );
  });

  it('implies one queue and dead-letter queue per target (the plan the runner and CDK share)', async () => {
    const plan = planHub(await loadHubConfig(), { tableName: 't', bucketName: 'b' });
    expect(plan.queues.map((q) => q.queueName).sort()).toEqual([
      'skjemaflyt-halden-arkiv',
      'skjemaflyt-halden-driftsordre',
      'skjemaflyt-halden-it-tilgang',
      'skjemaflyt-halden-lonn',
      'skjemaflyt-innherred-byggesak',
      'skjemaflyt-innherred-byggesak-arkiv',
      // Not a target: the hub's queue of status notifications to providers' webhooks.
      'skjemaflyt-notifications',
      'skjemaflyt-sandkasse-arkiv',
      'skjemaflyt-sandkasse-arkiv-avviser',
      'skjemaflyt-sandkasse-arkiv-nede',
      'skjemaflyt-sandkasse-driftsordre',
    ]);
    expect(plan.queues.every((q) => q.deadLetterQueueName === `${q.queueName}-dlq`)).toBe(true);
  });

  it('names the file and the field of a schema error', async () => {
    const dir = await withChangedDemo((h) => {
      h.municipalities[0].kommunenummer = '31O1';
      h.targets[0].delivery.batchSize = 50;
    });
    const issues = await issuesOf(dir);
    expect(issues).toContainEqual(
      expect.objectContaining({ file: 'halden.json', path: '/municipalities/0/kommunenummer' }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ file: 'halden.json', path: '/targets/0/delivery/batchSize' }),
    );
  });

  it('names an unknown target, a broken template and an unknown grant', async () => {
    const dir = await withChangedDemo(
      (h) => {
        h.formTypes[0].deliveries[0].target = 'halden-arkiv-typo';
        h.providers[0].grants[0].formTypes.push('hundeluftetillatelse');
      },
      (definitions) => {
        definitions['a-skjema-tilsetting'].archive.tittel = 'A-skjema {ansatt.fornavn';
      },
    );
    const issues = await issuesOf(dir);
    expect(issues.map((i) => `${i.file}${i.path}`)).toEqual(
      expect.arrayContaining([
        'halden.json/formTypes/0/deliveries/0/target',
        'form-types/a-skjema-tilsetting.json/archive/tittel',
        'halden.json/providers/0/grants/0/formTypes/2',
      ]),
    );
    expect(issues.find((i) => i.path === '/formTypes/0/deliveries/0/target')?.message).toContain('halden-arkiv-typo');
  });

  it('refuses a fagsystem delivery that waits for a non-archive target', async () => {
    const dir = await withChangedDemo((h) => {
      h.formTypes[2].deliveries[2].after = 'halden-lonn';
    });
    const issues = await issuesOf(dir);
    expect(issues).toContainEqual(
      expect.objectContaining({ path: '/formTypes/2/deliveries/2/after', message: expect.stringContaining('archive') }),
    );
  });

  it('refuses target and webhook URLs that are not https, except plain http to this machine', async () => {
    const http = (url: string) => ({ type: 'http', url, timeoutMs: 1000 });
    const webhook = (url: string) => ({ url, secret: { env: 'WEBHOOK_SECRET' } });
    const urlIssues = async (dir: string) =>
      (await issuesOf(dir)).filter((i) => i.path.endsWith('/url')).map((i) => i.path);
    // As written (the schema) …
    const written = await withChangedDemo((h) => {
      h.targets[0].transport = http('http://arkiv.halden.example/fiks');
      h.targets[1].transport = http('http://127.0.0.1.evil.example/x');
      h.providers[0].webhook = webhook('http://10.0.0.5/hook');
    });
    expect((await urlIssues(written)).sort()).toEqual([
      '/providers/0/webhook/url',
      '/targets/0/transport/url',
      '/targets/1/transport/url',
    ]);
    // … and after `${VARIABLE}` is expanded.
    process.env.SKJEMAFLYT_TEST_PLAIN_URL = 'http://arkiv.halden.example/fiks';
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
      const variable = '${SKJEMAFLYT_TEST_PLAIN_URL}';
      const expanded = await withChangedDemo((h) => {
        h.targets[2].transport = http(variable);
        h.providers[0].webhook = webhook(`${variable}/hook`);
      });
      const issues = await issuesOf(expanded);
      expect(issues.map((i) => i.path).sort()).toEqual(['/providers/0/webhook/url', '/targets/2/transport/url']);
      expect(issues[0]?.message).toMatch(/^must use https/);
    } finally {
      delete process.env.SKJEMAFLYT_TEST_PLAIN_URL;
    }
    // https anywhere, and http to 127.0.0.1 / [::1] / localhost (the local runner's stand-ins) load.
    const fine = await withChangedDemo((h) => {
      h.targets[0].transport = http('https://arkiv.halden.example/fiks');
      h.targets[1].transport = http('http://127.0.0.1:8099/lonn');
      h.targets[2].transport = http('http://[::1]:8099/it');
      h.providers[0].webhook = webhook('http://localhost:9000/hook');
    });
    await expect(loadHubConfig(fine)).resolves.toBeDefined();
  });

  it('refuses a configuration string longer than its field can be', async () => {
    const dir = await withChangedDemo((h) => {
      h.name = 'Halden'.repeat(1000);
      h.targets[0].transport = { type: 'http', url: `https://arkiv.example/${'a'.repeat(5000)}`, timeoutMs: 1000 };
    });
    const paths = (await issuesOf(dir)).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/name', '/targets/0/transport/url']));
  });
});
