/** The operator's preview: `npm run --silent map -- <submission.json> [--out <dir>]` (here: node infra/local/map.ts). */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateFiksArkivV1 } from '../../shared/noark/validate.ts';
import { SAMPLES_DIR } from '../support/hub.ts';
import { changedSample, VALIDATE_TIMEOUT } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../..');

async function map(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['infra/local/map.ts', ...args], {
      cwd: ROOT,
      // The demo configuration, whatever the environment says.
      env: { ...process.env, SKJEMAFLYT_CONFIG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run map', () => {
  it(
    'prints the arkivmelding and every payload, delivering nothing',
    async () => {
      const result = await map(join(SAMPLES_DIR, 'a-skjema-tilsetting.json'));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const headers = [...result.stdout.matchAll(/^==> (.*) <==$/gm)].map((m) => m[1]);
      expect(headers).toEqual([
        'arkivmelding.xml (halden-arkiv, fiks-arkiv-v1)',
        'halden-lonn.json (halden-lonn)',
        'halden-it-tilgang.json (halden-it-tilgang)',
      ]);
      expect(result.stdout).toContain('<offentligTittel>A-skjema tilsetting – Sykepleier</offentligTittel>');
    },
    VALIDATE_TIMEOUT,
  );

  it(
    'writes the files with --out',
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'skjemaflyt-map-'));
      const result = await map(join(SAMPLES_DIR, 'soknad-tiltak-uten-ansvarsrett.json'), '--out', out);
      expect(result.code).toBe(0);
      expect((await readdir(out)).sort()).toEqual(['arkivmelding.xml', 'innherred-byggesak.xml']);
      const xml = await readFile(join(out, 'arkivmelding.xml'), 'utf8');
      expect((await validateFiksArkivV1(xml)).errors).toEqual([]);
      expect(await readFile(join(out, 'innherred-byggesak.xml'), 'utf8')).toContain(
        '<saksnummer>(saksnummer fra arkivet)</saksnummer>',
      );
    },
    VALIDATE_TIMEOUT,
  );

  it('says exactly why it cannot, and exits non-zero', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-map-'));
    const broken = join(dir, 'broken.json');
    await writeFile(
      broken,
      JSON.stringify(
        await changedSample('soknad-tiltak-uten-ansvarsrett', (xml) =>
          xml.replace('<gardsnummer>314</gardsnummer>', '<gardsnummer>tre hundre og fjorten</gardsnummer>'),
        ),
      ),
    );
    const result = await map(broken);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      '[innherred-byggesak-arkiv] /archive/saksmappe/matrikkelnummer/gaardsnummer: Gårdsnummeret er ikke et heltall (skjemafelt: eiendom.gardsnummer).',
    );
    expect(result.stderr).toContain('[innherred-byggesak] Venter på arkivleveransen til innherred-byggesak-arkiv');

    const unknown = await map(join(dir, 'finnes-ikke.json'));
    expect(unknown.code).toBe(1);
    const usage = await map();
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: npm run --silent map');
  });
});
