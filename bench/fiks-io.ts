/**
 * Per-message cost of sealing a Fiks IO payload (ASiC-E pack + CMS sign + CMS encrypt for the recipient), ours
 * (pkijs on WebCrypto, zip on node:zlib) against OpenSSL doing the cryptographic part of the same work
 * (`openssl cms -sign` over the manifest, `openssl cms -encrypt` over the package: two processes per message, as a
 * shell integration would run them; the zip is not OpenSSL's to make, so ours is reused for it).
 *
 *   npm run bench -- --only fiks-io          three runs of 100 messages per payload size
 *   BENCH_FIKSIO_MESSAGES=300 npm run bench -- --only fiks-io
 *
 * A section of `npm run bench` (bench/run.ts). Needs `openssl`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAsic } from '../shared/fiks-io/asic.ts';
import { encryptFor } from '../shared/fiks-io/cms.ts';
import { readZip } from '../shared/fiks-io/zip.ts';
import { OpensslDir } from '../test/fiks-io/helpers/openssl.ts';
import { type Figure, median, spread } from './stats.ts';

const RUNS = 3;

export interface FiksIoSealingResult {
  messagesPerRun: number;
  results: Record<string, { oursMs: Figure; opensslMs: Figure; ratio: number }>;
}

function figure(runs: number[]): Figure {
  return { median: median(runs), runs, spread: spread(runs) };
}

/** Seals the same payloads with our code and with two `openssl cms` processes per message, in turns. */
export async function measureFiksIoSealing(
  messages = Number(process.env.BENCH_FIKSIO_MESSAGES ?? 100),
): Promise<FiksIoSealingResult> {
  const tmp = new OpensslDir();
  try {
    return await measure(tmp, messages);
  } finally {
    tmp.remove();
  }
}

async function measure(tmp: OpensslDir, messages: number): Promise<FiksIoSealingResult> {
  // The tests' OpenSSL identities: a self-signed RSA-2048 certificate and key each.
  const signer = tmp.identity('hub');
  const recipient = tmp.identity('archive');
  const { dir } = tmp;
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
    await encryptFor(await packAsic(files, signer), recipient.certificate);
    for (let run = 0; run < RUNS; run++) {
      let t = performance.now();
      for (let i = 0; i < messages; i++) await encryptFor(await packAsic(files, signer), recipient.certificate);
      ours.push((performance.now() - t) / messages);

      const zip = await packAsic(files, signer);
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
          signer.certPath,
          '-inkey',
          signer.keyPath,
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
          recipient.certPath,
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
  return { messagesPerRun: messages, results };
}

export function fiksIoTable(r: FiksIoSealingResult): string {
  const lines = [
    `Fiks IO sealing per message (ASiC-E + CMS sign + encrypt; median of ${RUNS} runs of ${r.messagesPerRun}; ratio = ours / openssl cms)`,
  ];
  for (const [label, x] of Object.entries(r.results)) {
    lines.push(
      `  ${label.padEnd(32)} ours ${x.oursMs.median.toFixed(2)} ms   openssl ${x.opensslMs.median.toFixed(2)} ms   ratio ${x.ratio.toFixed(2)}   (spread ${(Math.max(x.oursMs.spread, x.opensslMs.spread) * 100).toFixed(0)} %)`,
    );
  }
  return lines.join('\n');
}
