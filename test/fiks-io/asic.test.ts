import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASICE_MIMETYPE, AsicError, openAsic, packAsic } from '../../shared/fiks-io/asic.ts';
import { readZip, writeZip } from '../../shared/fiks-io/zip.ts';
import { OpensslDir, requireOpenssl, type TestIdentity } from './helpers/openssl.ts';

let ssl: OpensslDir;
let hub: TestIdentity;
let other: TestIdentity;

beforeAll(() => {
  requireOpenssl();
  ssl = new OpensslDir();
  hub = ssl.identity('hub');
  other = ssl.identity('other');
});
afterAll(() => ssl?.remove());

const arkivmelding = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><arkivmelding>æøå</arkivmelding>');
const pdf = Buffer.from(`%PDF-1.4\n${'x'.repeat(3000)}\n%%EOF`);
const files = () => [
  { name: 'arkivmelding.xml', data: arkivmelding },
  { name: 'søknad.pdf', data: pdf },
];

/** Re-zips the entries of a package after `change` (the way a forger would, keeping mimetype first and stored). */
function rezip(zip: Uint8Array, change: (entries: { name: string; data: Uint8Array }[]) => void): Uint8Array {
  const entries = readZip(zip).map((e) => ({ name: e.name, data: e.data }));
  change(entries);
  return writeZip(entries.map((e) => ({ ...e, method: e.name === 'mimetype' ? ('store' as const) : undefined })));
}

async function refusal(zip: Uint8Array, options = {}): Promise<string> {
  try {
    await openAsic(zip, options);
  } catch (error) {
    if (error instanceof AsicError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('ASiC-E packages', () => {
  it('opens what it packs: the files, their names and the signer', async () => {
    const zip = await packAsic(files(), hub);
    const opened = await openAsic(zip);
    expect(opened.files.map((f) => [f.name, f.mimeType])).toEqual([
      ['arkivmelding.xml', 'application/xml'],
      ['søknad.pdf', 'application/pdf'],
    ]);
    expect(Buffer.from(opened.files[0]?.data ?? []).equals(arkivmelding)).toBe(true);
    expect(Buffer.from(opened.files[1]?.data ?? []).equals(pdf)).toBe(true);
    expect(opened.rootFile).toBe('arkivmelding.xml');
    expect(opened.signer.subject).toContain('CN=hub');
  });

  it('puts mimetype first and stored, as ASiC readers sniff it at byte 30', async () => {
    const zip = Buffer.from(await packAsic(files(), hub));
    expect(zip.subarray(30, 38).toString()).toBe('mimetype');
    expect(zip.subarray(38, 38 + ASICE_MIMETYPE.length).toString()).toBe(ASICE_MIMETYPE);
    expect(zip.readUInt16LE(8)).toBe(0); // stored
  });

  it('writes a zip another implementation reads (Python zipfile: names, CRCs), with the manifest and signature', async () => {
    const path = ssl.write('pkg.asice', await packAsic(files(), hub));
    const script =
      'import zipfile,sys,json;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(json.dumps(z.namelist()))';
    const run = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const names = JSON.parse(run.stdout) as string[];
    expect(names.slice(0, 3)).toEqual(['mimetype', 'arkivmelding.xml', 'søknad.pdf']);
    expect(names[3]).toBe('META-INF/ASiCManifest.xml');
    expect(names[4]).toMatch(/^META-INF\/signature-[0-9a-f-]{36}\.p7s$/);
    expect(names[5]).toBe('META-INF/manifest.xml');
  });

  it('lists each file in the manifest with its SHA-256, and the signature verifies with OpenSSL over the manifest', async () => {
    const zip = await packAsic(files(), hub);
    const entries = readZip(zip);
    const manifest = entries.find((e) => e.name === 'META-INF/ASiCManifest.xml');
    const signature = entries.find((e) => e.name.endsWith('.p7s'));
    const text = Buffer.from(manifest?.data ?? []).toString();
    const digest = createHash('sha256').update(pdf).digest('base64');
    expect(text).toContain('URI="søknad.pdf"');
    expect(text).toContain(`<ns2:DigestValue>${digest}</ns2:DigestValue>`);
    expect(text).toContain(`SigReference URI="${signature?.name}"`);
    const manifestPath = ssl.write('manifest.xml', manifest?.data ?? new Uint8Array());
    const sigPath = ssl.write('sig.p7s', signature?.data ?? new Uint8Array());
    const verify = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', manifestPath];
    expect(ssl.status([...verify, '-CAfile', hub.certPath, '-purpose', 'any', '-out', '/dev/null'])).toBe(0);
  });

  it('refuses a package without signature or manifest', async () => {
    const zip = await packAsic(files(), hub);
    const unsigned = rezip(zip, (es) => es.splice(0, es.length, ...es.filter((e) => !e.name.startsWith('META-INF/'))));
    expect(await refusal(unsigned)).toBe('asic_unsigned');
    const noSignature = rezip(zip, (es) =>
      es.splice(
        es.findIndex((e) => e.name.endsWith('.p7s')),
        1,
      ),
    );
    expect(await refusal(noSignature)).toBe('asic_unsigned');
  });

  it('refuses unknown files in META-INF', async () => {
    const zip = await packAsic(files(), hub);
    const extra = rezip(zip, (es) => es.push({ name: 'META-INF/evil.xml', data: Buffer.from('<x/>') }));
    expect(await refusal(extra)).toBe('asic_unknown_metadata');
    const xades = rezip(zip, (es) => es.push({ name: 'META-INF/signatures.xml', data: Buffer.from('<x/>') }));
    expect(await refusal(xades)).toBe('asic_unknown_metadata');
  });

  it('refuses a changed file, an added file and a removed file', async () => {
    const zip = await packAsic(files(), hub);
    const changed = rezip(zip, (es) => {
      const e = es.find((x) => x.name === 'søknad.pdf');
      if (e) e.data = Buffer.from(`${Buffer.from(e.data).toString()}!`);
    });
    expect(await refusal(changed)).toBe('asic_digest_mismatch');
    const added = rezip(zip, (es) => es.splice(2, 0, { name: 'extra.pdf', data: pdf }));
    expect(await refusal(added)).toBe('asic_unlisted_file');
    const removed = rezip(zip, (es) =>
      es.splice(
        es.findIndex((e) => e.name === 'søknad.pdf'),
        1,
      ),
    );
    expect(await refusal(removed)).toBe('asic_missing_file');
  });

  it('refuses a manifest changed after signing, and one signed by another key', async () => {
    const zip = await packAsic(files(), hub);
    const forged = rezip(zip, (es) => {
      const m = es.find((e) => e.name === 'META-INF/ASiCManifest.xml');
      if (m) m.data = Buffer.from(Buffer.from(m.data).toString().replace('Rootfile="true"', 'Rootfile="false"'));
    });
    expect(await refusal(forged)).toBe('asic_signature_invalid');
    // A package signed by "other" is valid as such; a receiver that expects hub's certificate refuses it.
    const byOther = await packAsic(files(), other);
    const onlyHub = { trustSigner: (s: { certificatePem: string }) => s.certificatePem === hub.certificatePem };
    expect(await refusal(byOther, onlyHub)).toBe('asic_untrusted_signer');
    expect(await refusal(zip, onlyHub)).toBe('accepted');
  });

  it('refuses a zip whose first entry is not the ASiC-E mimetype', async () => {
    const zip = await packAsic(files(), hub);
    const wrong = rezip(zip, (es) => {
      const m = es.find((e) => e.name === 'mimetype');
      if (m) m.data = Buffer.from('application/zip');
    });
    expect(await refusal(wrong)).toBe('asic_not_asic');
    const notFirst = rezip(zip, (es) => es.push(...es.splice(0, 1)));
    expect(await refusal(notFirst)).toBe('asic_not_asic');
    expect(await refusal(Buffer.from('not a zip at all'))).toBe('asic_not_asic');
  });
});

describe('zip reading limits', () => {
  const zeros = Buffer.alloc(20 * 1024 * 1024);

  it('refuses a zip bomb by its compression ratio before inflating it', () => {
    const bomb = writeZip([{ name: 'a.xml', data: zeros, method: 'deflate' }]);
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(() => readZip(bomb)).toThrow(expect.objectContaining({ code: 'zip_bomb' }));
  });

  it('stops inflating at the declared size when a header understates it', () => {
    const zip = Buffer.from(writeZip([{ name: 'a.xml', data: zeros.subarray(0, 600_000), method: 'deflate' }]));
    // Lie: declare 1,000 bytes in both headers; the ratio check passes, the inflater must still stop.
    zip.writeUInt32LE(1000, 22);
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(1000, cd + 24);
    expect(() => readZip(zip)).toThrow(expect.objectContaining({ code: 'zip_bomb' }));
  });

  it('refuses more content in total than the limit, and too many entries', () => {
    const zip = writeZip([
      { name: 'a.bin', data: Buffer.alloc(600), method: 'store' },
      { name: 'b.bin', data: Buffer.alloc(600), method: 'store' },
    ]);
    const limits = { maxEntries: 10, maxTotalBytes: 1000, maxRatio: 200, ratioFloorBytes: 1 << 20 };
    expect(() => readZip(zip, limits)).toThrow(expect.objectContaining({ code: 'zip_too_large' }));
    expect(() => readZip(zip, { ...limits, maxTotalBytes: 10_000, maxEntries: 1 })).toThrow(
      expect.objectContaining({ code: 'zip_too_large' }),
    );
  });

  it('refuses entry names that climb out of the folder', () => {
    const zip = Buffer.from(writeZip([{ name: 'a/bb.xml', data: Buffer.from('<x/>') }]));
    const evil = Buffer.from(zip.toString('latin1').replaceAll('a/bb.xml', '../b.xml'), 'latin1');
    expect(() => readZip(evil)).toThrow(expect.objectContaining({ code: 'zip_bad_name' }));
  });

  it('refuses entries that share bytes', () => {
    const zip = Buffer.from(
      writeZip([
        { name: 'a.txt', data: Buffer.from('aaaa'), method: 'store' },
        { name: 'b.txt', data: Buffer.from('bbbb'), method: 'store' },
      ]),
    );
    // Point b's central entry at a's local header region by stretching a over b.
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(40, cd + 20);
    zip.writeUInt32LE(40, cd + 24);
    expect(() => readZip(zip)).toThrow(expect.objectContaining({ code: 'zip_bomb', message: 'entries overlap' }));
  });
});
