import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { refusalIssues } from '../support/config.ts';

/** The demo configuration with its deployment files changed by `change` (file name → edit), in a folder of its own. */
async function demoWith(change: Record<string, (config: any) => void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-identities-'));
  await cp(join(DEFAULT_CONFIG_PATH, 'form-types'), join(dir, 'form-types'), { recursive: true });
  for (const file of ['halden.json', 'innherred.json']) {
    const config = JSON.parse(await readFile(join(DEFAULT_CONFIG_PATH, file), 'utf8'));
    delete config.$schema;
    change[file]?.(config);
    await writeFile(join(dir, file), JSON.stringify(config));
  }
  return dir;
}

const issuesOf = async (change: Record<string, (config: any) => void>) =>
  refusalIssues(async () => loadHubConfig(await demoWith(change)));

describe('providers’ Maskinporten organisations in the configuration', () => {
  it('the demo: the vendor acting for each municipality is the e-form engine, Halden’s own client its intranet', async () => {
    const { providerIdentities } = buildRegistry(await loadHubConfig());
    expect(providerIdentities).toEqual([
      { providerId: 'eskjema', consumer: '959159092', supplier: '310123455', scope: 'halden:skjemaflyt' },
      {
        providerId: 'halden-intranett',
        consumer: '959159092',
        clientId: '5b0e7c2a-3d41-4f7e-9a62-8c1d0e4b7f35',
        scope: 'halden:skjemaflyt',
      },
      { providerId: 'eskjema', consumer: '938587418', supplier: '310123455', scope: 'innherred:skjemaflyt' },
      { providerId: 'eskjema', consumer: '938587051', supplier: '310123455', scope: 'innherred:skjemaflyt' },
      // The sandbox's provider calls as its own (test) organisation.
      { providerId: 'sandkasse', consumer: '999000002', scope: 'sandkasse:skjemaflyt' },
    ]);
  });

  it('names file and field of an organisation number whose control digit is wrong, and of a missing scope', async () => {
    const issues = await issuesOf({
      'halden.json': (h) => {
        h.providers[0].maskinporten.organisations[0].supplier = '310123456';
      },
      'innherred.json': (i) => {
        i.providers[0].maskinporten.organisations[1].consumer = '938587050';
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          file: 'halden.json',
          path: '/providers/0/maskinporten/organisations/0/supplier',
          message: expect.stringContaining('310123456 is not a valid organisasjonsnummer'),
        },
        {
          file: 'innherred.json',
          path: '/providers/0/maskinporten/organisations/1/consumer',
          message: expect.stringContaining('938587050'),
        },
      ]),
    );
    const schema = await issuesOf({ 'halden.json': (h) => delete h.providers[1].maskinporten.scope });
    expect(schema).toContainEqual(expect.objectContaining({ file: 'halden.json', path: '/providers/1/maskinporten' }));
    const shape = await issuesOf({ 'halden.json': (h) => (h.providers[0].maskinporten.scope = 'skjemaflyt') });
    expect(shape).toContainEqual(
      expect.objectContaining({ file: 'halden.json', path: '/providers/0/maskinporten/scope' }),
    );
  });

  it('refuses two providers that the same token could be, naming both', async () => {
    const issues = await issuesOf({
      'halden.json': (h) => {
        delete h.providers[1].maskinporten.organisations[0].clientId;
        h.providers[1].maskinporten.organisations[0].supplier = '310123455';
      },
    });
    expect(issues).toContainEqual({
      file: 'halden.json',
      path: '/providers/1/maskinporten/organisations/0',
      message: expect.stringMatching(/959159092 with supplier 310123455 is also provider "eskjema".*clientId/),
    });
    // A supplier that is the consumer itself is a mistake, not a delegation.
    const self = await issuesOf({
      'halden.json': (h) => (h.providers[1].maskinporten.organisations[0].supplier = '959159092'),
    });
    expect(self).toContainEqual(
      expect.objectContaining({ path: '/providers/1/maskinporten/organisations/0/supplier' }),
    );
  });

  it('lets two providers share an organisation when each names its own client', async () => {
    const dir = await demoWith({
      'halden.json': (h) => {
        h.providers[0].maskinporten.organisations.push({ consumer: '959159092', clientId: 'halden-portal' });
      },
    });
    const { providerIdentities } = buildRegistry(await loadHubConfig(dir));
    expect(providerIdentities.filter((i) => i.consumer === '959159092' && !i.supplier)).toHaveLength(2);
  });
});
