/**
 * Per-message cost of sealing a Fiks IO payload (ASiC-E pack + CMS sign + CMS encrypt for the recipient), ours
 * (pkijs on WebCrypto, zip on node:zlib) against OpenSSL doing the cryptographic part of the same work
 * (`openssl cms -sign` over the manifest, `openssl cms -encrypt` over the package: two processes per message, as a
 * shell integration would run them; the zip is not OpenSSL's to make, so ours is reused for it).
 *
 *   node bench/fiks-io.ts                 three runs of 100 messages per payload size
 *   BENCH_FIKSIO_MESSAGES=300 node bench/fiks-io.ts
 *
 * Not part of `npm run bench` yet; prints a table and the figures as JSON. Needs `openssl`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAsic } from '../shared/fiks-io/asic.ts';
import { encryptFor, loadIdentity } from '../shared/fiks-io/cms.ts';
import { readZip } from '../shared/fiks-io/zip.ts';
import { type Figure, median, spread } from './stats.ts';

const messages = Number(process.env.BENCH_FIKSIO_MESSAGES ?? 100);
const RUNS = 3;
const dir = mkdtempSync(join(tmpdir(), 'skjemaflyt-bench-fiksio-'));

function identity(cn: string) {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key, cert, id: loadIdentity(readFileSync(cert, 'utf8'), readFileSync(key, 'utf8')) };
}

function figure(runs: number[]): Figure {
  return { median: median(runs), runs, spread: spread(runs) };
}

async function main(): Promise<void> {
  const signer = identity('hub');
  const recipient = identity('archive');
  const sizes = [
    { label: 'arkivmelding 8 KB + PDF 100 KB', pdf: 100 * 1024 },
    { label: 'arkivmelding 8 KB + PDF 2 MB', pdf: 2 * 1024 * 1024 },
  ];
  const results: Record<string, { oursMs: Figure; opensslMs: Figure; ratio: number }> = {};
  for (const size of sizes) {
    const files = [
      { name: 'arkivmelding.xml', data: Buffer.from(`<arkivmelding>${'x'.repeat(8 * 1024)}</arkivmelding>`) },
      { name: 'dokument.pdf', data: randomBytes(size.pdf) },
    ];
    const ours: number[] = [];
    const openssl: number[] = [];
    // Warm-up (JIT, WebCrypto key import paths, openssl's page cache).
    await encryptFor(await packAsic(files, signer.id), recipient.id.certificate);
    for (let run = 0; run < RUNS; run++) {
      let t = performance.now();
      for (let i = 0; i < messages; i++) await encryptFor(await packAsic(files, signer.id), recipient.id.certificate);
      ours.push((performance.now() - t) / messages);

      const zip = await packAsic(files, signer.id);
      const manifest = readZip(zip).find((e) => e.name === 'META-INF/ASiCManifest.xml')?.data ?? new Uint8Array();
      const manifestPath = join(dir, 'manifest.xml');
      const zipPath = join(dir, 'package.asice');
      writeFileSync(manifestPath, manifest);
      writeFileSync(zipPath, zip);
      t = performance.now();
      for (let i = 0; i < messages; i++) {
        execFileSync('openssl', [
          'cms',
          '-sign',
          '-binary',
          '-md',
          'sha256',
          '-in',
          manifestPath,
          '-signer',
          signer.cert,
          '-inkey',
          signer.key,
          '-outform',
          'DER',
          '-out',
          join(dir, 'sig.p7s'),
        ]);
        execFileSync('openssl', [
          'cms',
          '-encrypt',
          '-binary',
          '-aes256',
          '-outform',
          'DER',
          '-in',
          zipPath,
          '-out',
          join(dir, 'enc.der'),
          '-recip',
          recipient.cert,
          '-keyopt',
          'rsa_padding_mode:oaep',
          '-keyopt',
          'rsa_oaep_md:sha256',
          '-keyopt',
          'rsa_mgf1_md:sha256',
        ]);
      }
      openssl.push((performance.now() - t) / messages);
    }
    const o = figure(ours);
    const s = figure(openssl);
    results[size.label] = { oursMs: o, opensslMs: s, ratio: o.median / s.median };
  }
  process.stdout.write('Fiks IO sealing per message (median of 3 runs; ratio = ours / openssl cms)\n');
  for (const [label, r] of Object.entries(results)) {
    process.stdout.write(
      `  ${label.padEnd(32)} ours ${r.oursMs.median.toFixed(2)} ms   openssl ${r.opensslMs.median.toFixed(2)} ms   ratio ${r.ratio.toFixed(2)}   (spread ${(Math.max(r.oursMs.spread, r.opensslMs.spread) * 100).toFixed(0)} %)\n`,
    );
  }
  process.stdout.write(`${JSON.stringify({ messagesPerRun: messages, results })}\n`);
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
