/**
 * CMS (RFC 5652) as Fiks IO uses it, with pkijs on WebCrypto:
 * - EnvelopedData for one recipient certificate: key transport RSAES-OAEP with SHA-256 and MGF1-SHA-256, content
 *   AES-256-CBC, recipient named by issuer and serial number (KS's `kryptering`: CMSKrypteringImpl).
 * - Detached SignedData (the ASiC-E signature over META-INF/ASiCManifest.xml): SHA-256 with RSA PKCS#1 v1.5, signed
 *   attributes contentType + signingTime + messageDigest, the signer's certificate (and chain) included.
 * Cross-checked against `openssl cms` in test/fiks-io/cms.test.ts.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pemBlocks } from '../text/trim.ts';

export type CmsErrorCode =
  | 'cms_malformed'
  | 'cms_not_for_us'
  | 'cms_algorithm'
  | 'cms_decrypt_failed'
  | 'cms_signature_invalid'
  | 'cms_bad_key';

/** A CMS structure we cannot or will not open. Never retryable: the same bytes fail the same way. */
export class CmsError extends Error {
  readonly retryable = false;
  readonly code: CmsErrorCode;
  constructor(code: CmsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'CmsError';
  }
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  aes128cbc: '2.16.840.1.101.3.4.1.2',
  aes192cbc: '2.16.840.1.101.3.4.1.22',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
} as const;

const OAEP_HASHES = new Set<string>([OID.sha256, OID.sha384, OID.sha512]);
const CONTENT_CIPHERS = new Set<string>([OID.aes128cbc, OID.aes192cbc, OID.aes256cbc]);
/**
 * Digests accepted in a signature on a package the hub receives. SHA-1 too: KS's Java client signs through Difi's
 * commons-asic, whose CAdES signer uses `SHA1with<key algorithm>`, and KS's own readers (commons-asic, and
 * KS.Fiks.ASiC-E in .NET, both BouncyCastle) verify it; refusing it would refuse every reply from an archive built
 * on that client. The hub itself signs with SHA-256 only, and a manifest's file digests must still be SHA-2
 * (asic.ts). See docs/delivery.md.
 */
const SIGNATURE_DIGESTS: Record<string, VerifiedSignature['digest']> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** A certificate and its private key: the account's decryption key, or the signing certificate. */
export interface KeyPairIdentity {
  certificate: pkijs.Certificate;
  /** Extra certificates sent along with a signature (intermediates), leaf first not repeated. */
  chain: pkijs.Certificate[];
  /** PKCS#8 DER. */
  privateKey: Uint8Array;
  /** The leaf certificate as PEM (what the catalog publishes). */
  certificatePem: string;
}

/** Reads a PEM certificate (first one if several) and a PEM private key (PKCS#8 or PKCS#1). */
export function loadIdentity(certificatePem: string, privateKeyPem: string): KeyPairIdentity {
  const certs = readCertificates(certificatePem);
  const [certificate, ...chain] = certs;
  if (!certificate) throw new CmsError('cms_bad_key', 'no certificate in PEM');
  let privateKey: Uint8Array;
  try {
    privateKey = new Uint8Array(createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'der' }));
  } catch (cause) {
    throw new CmsError('cms_bad_key', 'private key cannot be read', { cause });
  }
  return { certificate, chain, privateKey, certificatePem: toPem(certificate) };
}

/** All certificates in a PEM text, in order. */
export function readCertificates(pem: string): pkijs.Certificate[] {
  const blocks = pemBlocks(pem, 'CERTIFICATE');
  return blocks.map((block) => {
    const der = Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
    try {
      return pkijs.Certificate.fromBER(der);
    } catch (cause) {
      throw new CmsError('cms_bad_key', 'certificate cannot be read', { cause });
    }
  });
}

export function readCertificate(pem: string): pkijs.Certificate {
  const [cert] = readCertificates(pem);
  if (!cert) throw new CmsError('cms_bad_key', 'no certificate in PEM');
  return cert;
}

export function toPem(certificate: pkijs.Certificate): string {
  const b64 = Buffer.from(certificate.toSchema().toBER()).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

/** Encrypts `content` for one recipient certificate as KS does (see the module comment). DER ContentInfo. */
export async function encryptFor(content: Uint8Array, recipient: pkijs.Certificate): Promise<Uint8Array> {
  // disableSplit: pkijs otherwise cuts the content into 1,024-byte OCTET STRINGs, copying byte by byte (10x the AES).
  const enveloped = new pkijs.EnvelopedData({ disableSplit: true });
  // pkijs defaults OAEP to SHA-512; Fiks IO (BouncyCastle in KS's clients) uses SHA-256 and MGF1-SHA-256.
  enveloped.addRecipientByCertificate(recipient, { oaepHashAlgorithm: 'SHA-256' });
  await enveloped.encrypt(
    { name: 'AES-CBC', length: 256 } as Parameters<pkijs.EnvelopedData['encrypt']>[0],
    toArrayBuffer(content),
  );
  const info = new pkijs.ContentInfo({ contentType: OID.envelopedData, content: enveloped.toSchema() });
  return new Uint8Array(info.toSchema().toBER());
}

/**
 * Opens an EnvelopedData with whichever of `keys` it is addressed to (issuer + serial). Only RSAES-OAEP (SHA-2, MGF1
 * with the same hash) key transport and AES-CBC content are accepted: what KS's clients and `openssl cms -encrypt
 * -aes256 -keyopt rsa_padding_mode:oaep ...` produce.
 */
export async function decryptWith(der: Uint8Array, keys: KeyPairIdentity[]): Promise<Uint8Array> {
  const enveloped = parseContent(der, OID.envelopedData, (schema) => new pkijs.EnvelopedData({ schema }));
  const contentAlg = enveloped.encryptedContentInfo.contentEncryptionAlgorithm.algorithmId;
  if (!CONTENT_CIPHERS.has(contentAlg))
    throw new CmsError('cms_algorithm', `content cipher ${contentAlg} not accepted`);
  for (const [index, info] of enveloped.recipientInfos.entries()) {
    if (info.variant !== 1 || !(info.value instanceof pkijs.KeyTransRecipientInfo)) continue;
    const ktri = info.value;
    if (!(ktri.rid instanceof pkijs.IssuerAndSerialNumber)) continue;
    const rid = ktri.rid;
    const key = keys.find((k) => sameIssuerSerial(k.certificate, rid));
    if (!key) continue;
    checkOaep(ktri.keyEncryptionAlgorithm);
    try {
      const plain = await enveloped.decrypt(index, {
        recipientCertificate: key.certificate,
        recipientPrivateKey: toArrayBuffer(key.privateKey),
      });
      return new Uint8Array(plain);
    } catch (cause) {
      throw new CmsError('cms_decrypt_failed', 'decryption failed', { cause });
    }
  }
  throw new CmsError('cms_not_for_us', 'no recipient matches our certificates');
}

function checkOaep(alg: pkijs.AlgorithmIdentifier): void {
  if (alg.algorithmId !== OID.rsaesOaep)
    throw new CmsError('cms_algorithm', `key transport ${alg.algorithmId} not accepted`);
  let params: pkijs.RSAESOAEPParams;
  try {
    params = new pkijs.RSAESOAEPParams({ schema: alg.algorithmParams });
  } catch (cause) {
    throw new CmsError('cms_malformed', 'bad RSAES-OAEP parameters', { cause });
  }
  const hash = params.hashAlgorithm.algorithmId;
  if (!OAEP_HASHES.has(hash)) throw new CmsError('cms_algorithm', `OAEP hash ${hash} not accepted`);
  if (params.maskGenAlgorithm.algorithmId !== OID.mgf1)
    throw new CmsError('cms_algorithm', 'OAEP mask generation is not MGF1');
  let mgfHash: string;
  try {
    mgfHash = new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId;
  } catch (cause) {
    throw new CmsError('cms_malformed', 'bad MGF1 parameters', { cause });
  }
  // WebCrypto's RSA-OAEP uses one hash for both; a message with different ones cannot be opened correctly.
  if (mgfHash !== hash) throw new CmsError('cms_algorithm', `MGF1 hash ${mgfHash} differs from OAEP hash ${hash}`);
}

/** A detached SignedData over `content` by `signer` (DER ContentInfo), as ASiC-E's META-INF/signature-*.p7s. */
export async function signDetached(content: Uint8Array, signer: KeyPairIdentity): Promise<Uint8Array> {
  const digest = createHash('sha256').update(content).digest();
  const attribute = (type: string, value: asn1js.BaseBlock) => new pkijs.Attribute({ type, values: [value] });
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: signer.certificate.issuer,
          serialNumber: signer.certificate.serialNumber,
        }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
            attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: new Date() })),
            attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })),
          ],
        }),
      }),
    ],
    certificates: [signer.certificate, ...signer.chain],
  });
  const key = await crypto.subtle.importKey(
    'pkcs8',
    toArrayBuffer(signer.privateKey),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  await signedData.sign(key, 0, 'SHA-256', toArrayBuffer(content));
  const info = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER());
}

export interface VerifiedSignature {
  /** The signer's certificate as it came in the signature. */
  certificate: pkijs.Certificate;
  certificatePem: string;
  /** Subject DN in OpenSSL's one-line form (for logs: a virksomhetssertifikat names an organisation, not a person). */
  subject: string;
  /** SHA-256 of the signer certificate's DER, hex. */
  fingerprint: string;
  /** The signature's digest algorithm (sha1 from KS's Java client; sha256 from the .NET client and the hub). */
  digest: 'sha1' | 'sha256' | 'sha384' | 'sha512';
}

/**
 * Verifies a detached SignedData over `content`: exactly one signer, its certificate inside, a SHA-1 or SHA-2 digest
 * (see SIGNATURE_DIGESTS), and the
 * signature and messageDigest matching. Trust in the certificate itself is the caller's decision (Fiks IO's clients
 * check the signature against the enclosed certificate only).
 */
export async function verifyDetached(signature: Uint8Array, content: Uint8Array): Promise<VerifiedSignature> {
  const signedData = parseContent(signature, OID.signedData, (schema) => new pkijs.SignedData({ schema }));
  if (signedData.signerInfos.length !== 1) throw new CmsError('cms_signature_invalid', 'expected exactly one signer');
  if (signedData.encapContentInfo.eContent) throw new CmsError('cms_signature_invalid', 'signature is not detached');
  const signerInfo = signedData.signerInfos[0] as pkijs.SignerInfo;
  const digestAlg = signerInfo.digestAlgorithm.algorithmId;
  const digest = SIGNATURE_DIGESTS[digestAlg];
  if (!digest) throw new CmsError('cms_algorithm', `digest ${digestAlg} not accepted`);
  let result: pkijs.SignedDataVerifyResult;
  try {
    result = await signedData.verify({
      signer: 0,
      data: toArrayBuffer(content),
      checkChain: false,
      extendedMode: true,
    });
  } catch (cause) {
    throw new CmsError('cms_signature_invalid', 'signature does not verify', { cause });
  }
  const certificate = result.signerCertificate;
  if (!result.signatureVerified || !certificate)
    throw new CmsError('cms_signature_invalid', 'signature does not verify');
  const der = Buffer.from(certificate.toSchema().toBER());
  const x509 = new X509Certificate(der);
  return {
    certificate,
    certificatePem: toPem(certificate),
    subject: x509.subject.replace(/\n/g, ', '),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    digest,
  };
}

function parseContent<T>(der: Uint8Array, contentType: string, build: (schema: asn1js.BaseBlock) => T): T {
  let info: pkijs.ContentInfo;
  try {
    info = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
  } catch (cause) {
    throw new CmsError('cms_malformed', 'not a CMS ContentInfo', { cause });
  }
  if (info.contentType !== contentType)
    throw new CmsError('cms_malformed', `CMS content type ${info.contentType}, expected ${contentType}`);
  try {
    return build(info.content as asn1js.BaseBlock);
  } catch (cause) {
    throw new CmsError('cms_malformed', 'CMS content cannot be read', { cause });
  }
}

function sameIssuerSerial(cert: pkijs.Certificate, rid: pkijs.IssuerAndSerialNumber): boolean {
  return (
    Buffer.from(cert.issuer.toSchema().toBER()).equals(Buffer.from(rid.issuer.toSchema().toBER())) &&
    Buffer.from(cert.serialNumber.valueBlock.valueHexView).equals(Buffer.from(rid.serialNumber.valueBlock.valueHexView))
  );
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
