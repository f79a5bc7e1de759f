import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

/**
 * The Chromium the console tests drive. By default the one the lock file brings: @sparticuz/chromium ships a
 * brotli-packed headless Chromium for Linux x64 with its own NSS libraries, so it needs nothing from apt (only
 * glibc). It is unpacked once into node_modules/.cache. CHROMIUM_PATH picks another binary instead.
 */
export interface ChromiumInstall {
  executablePath: string;
  /** Environment the binary needs (its libraries and fonts); empty for a system Chromium */
  env: Record<string, string>;
}

const root = resolve(import.meta.dirname, '../..');
const INSTALL_HINT = 'install Chromium (apt-get install chromium) and run with CHROMIUM_PATH=/usr/bin/chromium';

/** Resolves (unpacking on first use) and checks that the browser starts; throws one line saying what to do. */
export async function prepareChromium(): Promise<ChromiumInstall> {
  const install = process.env.CHROMIUM_PATH
    ? { executablePath: process.env.CHROMIUM_PATH, env: {} }
    : await unpackPackagedChromium();
  const run = spawnSync(install.executablePath, ['--version'], {
    env: { ...process.env, ...install.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) {
    const why = run.error?.message ?? run.stderr.trim().split('\n')[0] ?? `exit ${run.status}`;
    throw new Error(`Chromium at ${install.executablePath} does not start (${why}): ${INSTALL_HINT}`);
  }
  return install;
}

async function unpackPackagedChromium(): Promise<ChromiumInstall> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The packaged Chromium is for Linux x64, not ${process.platform} ${process.arch}: ${INSTALL_HINT}`);
  }
  const require = createRequire(import.meta.url);
  const packageDir = resolve(dirname(require.resolve('@sparticuz/chromium')), '..'); // build/index.js
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(root, 'node_modules', '.cache', `skjemaflyt-chromium-${version}`);
  const install = {
    executablePath: join(dir, 'chromium'),
    env: { LD_LIBRARY_PATH: join(dir, 'lib'), FONTCONFIG_FILE: join(dir, 'fonts.conf') },
  };
  if (existsSync(join(dir, 'complete'))) return install;

  // Unpack beside the final folder and rename, so a second run at the same time never sees half a browser.
  await mkdir(dirname(dir), { recursive: true });
  const partial = await mkdtemp(`${dir}.partial-`);
  try {
    const bin = join(packageDir, 'bin');
    await pipeline(
      createReadStream(join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(partial, 'chromium'), { mode: 0o755 }),
    );
    await untar(join(bin, 'al2023.tar.br'), partial); // lib/: libnss3, libnspr4 and friends
    await untar(join(bin, 'fonts.tar.br'), partial); // fonts/: Open Sans (æ, ø, å)
    await writeFile(
      join(partial, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <dir>${join(dir, 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n` +
        `  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    await writeFile(join(partial, 'complete'), `${version}\n`);
    await rename(partial, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(join(dir, 'complete'))) throw error; // else: another run finished first
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return install;
}

/**
 * A brotli-packed tar into `into`, through the system's tar (part of every Debian). Unpacked to a file first: piped
 * into tar, the stream can fail with "Premature close" when tar has read the end-of-archive marker and exits before
 * the archive's trailing padding is written (seen on a fresh CI clone).
 */
async function untar(file: string, into: string): Promise<void> {
  const plain = join(into, '.unpacking.tar');
  await pipeline(createReadStream(file), createBrotliDecompress(), createWriteStream(plain));
  const run = spawnSync('tar', ['-x', '-f', plain, '-C', into], { encoding: 'utf8' });
  await rm(plain, { force: true });
  if (run.status !== 0)
    throw new Error(`tar could not unpack ${file}: ${(run.stderr ?? run.error?.message ?? '').trim()}`);
}
