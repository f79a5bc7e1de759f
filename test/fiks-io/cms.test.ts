import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CmsError, decryptWith, encryptFor, signDetached, verifyDetached } from '../../shared/fiks-io/cms.ts';
import { OpensslDir, requireOpenssl, type TestIdentity } from './helpers/openssl.ts';

let ssl: OpensslDir;
let archive: TestIdentity;
let hub: TestIdentity;

beforeAll(() => {
  requireOpenssl();
  ssl = new OpensslDir();
  archive = ssl.identity('archive');
  hub = ssl.identity('hub');
});
afterAll(() => ssl?.remove());

const payload = randomBytes(70_000);
const KS_OAEP = ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256'];

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CmsError) return error.code;
    throw error;
  }
  return 'ok';
}

describe('CMS EnvelopedData, checked against OpenSSL', () => {
  it('OpenSSL decrypts what we encrypt for its certificate', async () => {
    const der = await encryptFor(payload, archive.certificate);
    const inPath = ssl.write('enc.der', der);
    const plain = ssl.openssl([
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      inPath,
      '-recip',
      archive.certPath,
      '-inkey',
      archive.keyPath,
    ]);
    expect(plain.equals(payload)).toBe(true);
  });

  it('uses RSAES-OAEP with SHA-256 and MGF1-SHA-256, AES-256-CBC, and names the recipient by issuer and serial', async () => {
    const der = await encryptFor(payload, archive.certificate);
    const printed = ssl
      .openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', ssl.write('p.der', der)])
      .toString();
    expect(printed).toContain('algorithm: rsaesOaep');
    // RSAES-OAEP-params as OpenSSL dumps them: [0] hashAlgorithm sha256, [1] maskGenAlgorithm mgf1 with sha256.
    expect(printed.replace(/\s+/g, ' ')).toMatch(
      /cont \[ 0 \] .*OBJECT :sha256 .*cont \[ 1 \] .*OBJECT :mgf1 .*OBJECT :sha256 .*encryptedKey/,
    );
    expect(printed).not.toContain('sha512'); // pkijs's own default
    expect(printed).toContain('algorithm: aes-256-cbc');
    expect(printed).toMatch(/d\.issuerAndSerialNumber:\s*\n\s*issuer: O=Test archive, CN=archive/);
  });

  it('opens what OpenSSL encrypts the way Fiks IO does (aes256, OAEP SHA-256, MGF1 SHA-256)', async () => {
    const inPath = ssl.write('plain.bin', payload);
    const der = ssl.openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes256',
      '-outform',
      'DER',
      '-in',
      inPath,
      '-recip',
      archive.certPath,
      ...KS_OAEP,
    ]);
    expect(Buffer.from(await decryptWith(der, [archive])).equals(payload)).toBe(true);
  });

  it('opens a message for several recipients with the key it is addressed to', async () => {
    const inPath = ssl.write('plain2.bin', payload);
    const der = ssl.openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes256',
      '-outform',
      'DER',
      '-in',
      inPath,
      '-recip',
      hub.certPath,
      ...KS_OAEP,
      '-recip',
      archive.certPath,
      ...KS_OAEP,
    ]);
    expect(Buffer.from(await decryptWith(der, [archive])).equals(payload)).toBe(true);
  });

  it('refuses a message for someone else, PKCS#1 v1.5 key transport, and OAEP with SHA-1', async () => {
    const inPath = ssl.write('plain3.bin', payload);
    const forHub = ssl.openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes256',
      '-outform',
      'DER',
      '-in',
      inPath,
      '-recip',
      hub.certPath,
      ...KS_OAEP,
    ]);
    expect(await code(decryptWith(forHub, [archive]))).toBe('cms_not_for_us');
    const v15 = ssl.openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes256',
      '-outform',
      'DER',
      '-in',
      inPath,
      archive.certPath,
    ]);
    expect(await code(decryptWith(v15, [archive]))).toBe('cms_algorithm');
    const sha1 = ssl.openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes256',
      '-outform',
      'DER',
      '-in',
      inPath,
      '-recip',
      archive.certPath,
      '-keyopt',
      'rsa_padding_mode:oaep',
    ]);
    expect(await code(decryptWith(sha1, [archive]))).toBe('cms_algorithm');
    expect(await code(decryptWith(Buffer.from('garbage'), [archive]))).toBe('cms_malformed');
  });

  it('refuses a message whose encrypted key was altered', async () => {
    // (AES-CBC content has no integrity of its own: the ASiC signature inside the envelope carries it.)
    const der = Buffer.from(await encryptFor(payload, archive.certificate));
    const key = der.indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00])) + 4; // the 256-byte encryptedKey
    der[key + 10] = (der[key + 10] ?? 0) ^ 0xff;
    expect(await code(decryptWith(der, [archive]))).toBe('cms_decrypt_failed');
  });
});

describe('CMS SignedData (detached), checked against OpenSSL', () => {
  const content = Buffer.from('<ASiCManifest>signed bytes</ASiCManifest>');

  it('OpenSSL verifies our signature over the content, and rejects it over other content', async () => {
    const sig = ssl.write('sig.p7s', await signDetached(content, hub));
    const args = (contentPath: string) => [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      sig,
      '-content',
      contentPath,
      '-CAfile',
      hub.certPath,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ];
    expect(ssl.status(args(ssl.write('content.xml', content)))).toBe(0);
    expect(ssl.status(args(ssl.write('other.xml', Buffer.from('<ASiCManifest>other</ASiCManifest>'))))).not.toBe(0);
    const printed = ssl.openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sig]).toString();
    expect(printed).toContain('algorithm: sha256');
    expect(printed).toContain('signingTime');
  });

  it('verifies what OpenSSL signs, and names the signer', async () => {
    const contentPath = ssl.write('content2.xml', content);
    const der = ssl.openssl([
      'cms',
      '-sign',
      '-binary',
      '-md',
      'sha256',
      '-in',
      contentPath,
      '-signer',
      archive.certPath,
      '-inkey',
      archive.keyPath,
      '-outform',
      'DER',
    ]);
    const signer = await verifyDetached(der, content);
    expect(signer.subject).toContain('CN=archive');
    expect(signer.certificatePem).toBe(archive.certificatePem);
    expect(await code(verifyDetached(der, Buffer.from('tampered')))).toBe('cms_signature_invalid');
  });

  it('verifies a SHA-1 signature (as KS’s Java client signs), and still refuses a tampered one or MD5', async () => {
    const contentPath = ssl.write('content3.xml', content);
    const der = ssl.openssl([
      'cms',
      '-sign',
      '-binary',
      '-md',
      'sha1',
      '-in',
      contentPath,
      '-signer',
      archive.certPath,
      '-inkey',
      archive.keyPath,
      '-outform',
      'DER',
    ]);
    const signer = await verifyDetached(der, content);
    expect(signer.digest).toBe('sha1');
    expect(signer.certificatePem).toBe(archive.certificatePem);
    expect(await code(verifyDetached(der, Buffer.from('tampered')))).toBe('cms_signature_invalid');
    const md5 = ssl.openssl([
      'cms',
      '-sign',
      '-binary',
      '-md',
      'md5',
      '-in',
      contentPath,
      '-signer',
      archive.certPath,
      '-inkey',
      archive.keyPath,
      '-outform',
      'DER',
    ]);
    expect(await code(verifyDetached(md5, content))).toBe('cms_algorithm');
  });
});
