import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staffAccessOf, staffPrincipal } from '../../shared/auth/staff.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { refusalIssues } from '../support/config.ts';

/**
 * Which municipalities and rights archive staff get: the groups (or app roles) their identity provider names,
 * looked up in the deployment file's `staff.access`; a mistake there is refused naming the file and the field.
 */

async function haldenWith(change: (halden: any) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-staff-'));
  const halden = JSON.parse(await readFile(join(DEFAULT_CONFIG_PATH, 'halden.json'), 'utf8'));
  change(halden);
  await writeFile(join(dir, 'halden.json'), JSON.stringify(halden));
  await cp(join(DEFAULT_CONFIG_PATH, 'form-types'), join(dir, 'form-types'), { recursive: true });
  return dir;
}

const issuesOf = async (change: (halden: any) => void) =>
  refusalIssues(async () => loadHubConfig(await haldenWith(change)));

describe('staff access from the configuration', () => {
  it('the demo people get exactly their municipalities and rights', async () => {
    const access = staffAccessOf((await loadHubConfig()).deployments);
    const as = (groups: string[]) => staffPrincipal({ sub: 's', groups }, access);
    expect(as(['skjemaflyt-halden-arkiv'])).toMatchObject({ municipalities: ['3101'], canRetryResolve: ['3101'] });
    expect(as(['skjemaflyt-innherred-arkiv'])).toMatchObject({
      municipalities: ['5037', '5038'],
      canRetryResolve: ['5037', '5038'],
    });
    expect(as(['skjemaflyt-halden-servicetorg'])).toMatchObject({ municipalities: ['3101'], canRetryResolve: [] });
    expect(as(['alle-ansatte'])).toMatchObject({ municipalities: [], canRetryResolve: [] });
    // Rights add up over a person's groups: read-only in Halden and archivist of Levanger.
    expect(as(['skjemaflyt-halden-servicetorg', 'skjemaflyt-levanger-arkiv'])).toMatchObject({
      municipalities: ['3101', '5037'],
      canRetryResolve: ['5037'],
    });
    // Groups are matched exactly: no prefixes, no case folding, and never from a claim that is not a list.
    expect(as(['skjemaflyt-halden-ARKIV', 'skjemaflyt-halden'])).toMatchObject({ municipalities: [] });
    expect(staffPrincipal({ sub: 's', groups: 'skjemaflyt-halden-arkiv' }, access)).toMatchObject({
      municipalities: [],
    });
    // Halden maps groups: the same value as an app role gives nothing.
    expect(staffPrincipal({ sub: 's', roles: ['skjemaflyt-halden-arkiv'] }, access)).toMatchObject({
      municipalities: [],
    });
  });

  it('refuses a group for another deployment’s municipality, an unknown right, and sign-in without openid', async () => {
    const issues = await issuesOf((halden) => {
      halden.staff.access.push({ group: 'g', municipalities: ['5037'], rights: ['read'] });
      halden.aws.auth.admins.signInScopes = ['profile'];
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: expect.stringContaining('halden.json'),
          path: '/staff/access/2/municipalities/0',
          message: 'municipality 5037 is not in this deployment',
        }),
        expect.objectContaining({ path: '/aws/auth/admins/signInScopes', message: expect.stringContaining('openid') }),
      ]),
    );
    const rights = await issuesOf((halden) => {
      halden.staff.access[0].rights = ['read', 'admin'];
    });
    expect(rights).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^\/staff\/access\/0\/rights/) })]),
    );
  });

  it('a deployment on AWS names its staff, its sign-in client and the secret; never the secret itself', async () => {
    const missing = await issuesOf((halden) => {
      halden.staff = undefined;
    });
    expect(missing).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/staff' })]));
    const inline = await issuesOf((halden) => {
      halden.aws.auth.admins.clientSecret = 'hemmelig';
    });
    expect(inline).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/aws/auth/admins/clientSecret' })]),
    );
    const http = await issuesOf((halden) => {
      halden.aws.auth.admins.consoleUrl = 'http://skjemaflyt.halden.example/console/';
    });
    expect(http).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/aws/auth/admins/consoleUrl' })]));
  });
});
