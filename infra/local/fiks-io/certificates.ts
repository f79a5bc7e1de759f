/**
 * Self-signed RSA test certificates for the local Fiks IO (made with pkijs, so `npm start` needs no OpenSSL). Test
 * only: each start makes new ones and they live in memory.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type KeyPairIdentity, loadIdentity, toPem } from '../../../shared/fiks-io/cms.ts';

export async function generateTestIdentity(
  commonName: string,
  organisation = 'Skjemaflyt lokal test',
): Promise<KeyPairIdentity & { privateKeyPem: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  const name = [
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.10', value: new asn1js.Utf8String({ value: organisation }) }),
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: commonName }) }),
  ];
  cert.subject.typesAndValues = name;
  cert.issuer.typesAndValues = name;
  const from = new Date(Date.now() - 60_000);
  cert.notBefore.value = from;
  cert.notAfter.value = new Date(from.getTime() + 2 * 365 * 24 * 3600 * 1000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  cert.subjectPublicKeyInfo.fromSchema(asn1js.fromBER(new Uint8Array(spki)).result);
  const signingKey = await crypto.subtle.importKey(
    'pkcs8',
    new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  await cert.sign(signingKey, 'SHA-256');
  return { ...loadIdentity(toPem(cert), privateKeyPem), privateKeyPem };
}
