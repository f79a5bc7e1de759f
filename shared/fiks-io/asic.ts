/**
 * ASiC-E with a CAdES signature (ETSI EN 319 162-1), the container inside every Fiks IO payload. Written the way KS's
 * clients write it (difi/KS commons-asic via fiks-io-asice-handler): `mimetype` first and stored, the files, then
 * META-INF/ASiCManifest.xml (SHA-256 of each file), META-INF/signature-<uuid>.p7s (detached CMS over the manifest),
 * and the OASIS META-INF/manifest.xml. Read the way their reader reads it, stricter where it costs nothing: a package
 * must be signed, every file listed with a matching digest and every listed file present, and META-INF may hold
 * nothing else.
 */
import { createHash, randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { CmsError, type KeyPairIdentity, signDetached, type VerifiedSignature, verifyDetached } from './cms.ts';
import { DEFAULT_ZIP_LIMITS, firstEntry, readZip, writeZip, ZipError, type ZipLimits } from './zip.ts';

export const ASICE_MIMETYPE = 'application/vnd.etsi.asic-e+zip';
const MANIFEST_NAME = 'META-INF/ASiCManifest.xml';
const ASIC_NS = 'http://uri.etsi.org/02918/v1.2.1#';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const SHA256_URI = 'http://www.w3.org/2001/04/xmlenc#sha256';
const DIGEST_URIS: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  [SHA256_URI]: 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

export interface AsicFile {
  name: string;
  data: Uint8Array;
  /** Defaults from the name (xml, pdf, json, txt, png, jpeg; else application/octet-stream). */
  mimeType?: string;
}

export interface OpenedAsic {
  files: Required<AsicFile>[];
  signer: VerifiedSignature;
  /** The manifest's Rootfile, if it names one (KS's writer marks the first file). */
  rootFile?: string;
}

export type AsicErrorCode =
  | 'asic_not_asic'
  | 'asic_unsigned'
  | 'asic_unknown_metadata'
  | 'asic_manifest_invalid'
  | 'asic_digest_mismatch'
  | 'asic_unlisted_file'
  | 'asic_missing_file'
  | 'asic_signature_invalid'
  | 'asic_untrusted_signer'
  | 'asic_too_large';

/** A package we refuse. Never retryable. `code` names the reason (safe to log: no content). */
export class AsicError extends Error {
  readonly retryable = false;
  readonly code: AsicErrorCode;
  constructor(code: AsicErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'AsicError';
  }
}

/** Packs and signs. The first file is marked as the Rootfile (as KS's writer does with its first payload). */
export async function packAsic(files: AsicFile[], signer: KeyPairIdentity): Promise<Uint8Array> {
  if (files.length === 0) throw new AsicError('asic_missing_file', 'a package needs at least one file');
  for (const f of files) {
    if (f.name.startsWith('META-INF/') || f.name === 'mimetype')
      throw new AsicError('asic_unknown_metadata', `${f.name} is reserved`);
  }
  const signatureName = `META-INF/signature-${randomUUID()}.p7s`;
  const manifest = Buffer.from(asicManifest(files, signatureName), 'utf8');
  const signature = await signDetached(manifest, signer);
  return writeZip(
    [
      { name: 'mimetype', data: Buffer.from(ASICE_MIMETYPE, 'ascii'), method: 'store' },
      // Already-compressed formats are stored: deflating them costs more time than it saves bytes.
      ...files.map((f) => ({
        name: f.name,
        data: f.data,
        ...(PRECOMPRESSED.test(f.mimeType ?? mimeTypeOf(f.name)) ? { method: 'store' as const } : {}),
      })),
      { name: MANIFEST_NAME, data: manifest },
      { name: signatureName, data: signature },
      { name: 'META-INF/manifest.xml', data: Buffer.from(oasisManifest(files), 'utf8') },
    ],
    `mimetype=${ASICE_MIMETYPE}`,
  );
}

export interface OpenAsicOptions {
  limits?: ZipLimits;
  /** Decide whether the (validly) signing certificate is acceptable, e.g. the sender's known certificate. */
  trustSigner?: (signer: VerifiedSignature) => boolean | Promise<boolean>;
}

/** Unpacks and verifies. Throws AsicError (or nothing): a returned package is signed, complete and unaltered. */
export async function openAsic(zip: Uint8Array, options: OpenAsicOptions = {}): Promise<OpenedAsic> {
  const first = firstEntry(zip);
  if (first?.name !== 'mimetype' || !first.stored || Buffer.from(first.data).toString('ascii') !== ASICE_MIMETYPE)
    throw new AsicError('asic_not_asic', 'mimetype is not the first, stored entry of an ASiC-E package');
  let entries: ReturnType<typeof readZip>;
  try {
    entries = readZip(zip, options.limits ?? DEFAULT_ZIP_LIMITS);
  } catch (error) {
    if (error instanceof ZipError) {
      const code = error.code === 'zip_bomb' || error.code === 'zip_too_large' ? 'asic_too_large' : 'asic_not_asic';
      throw new AsicError(code, error.message, { cause: error });
    }
    throw error;
  }

  const content = new Map<string, Uint8Array>();
  let manifestBytes: Uint8Array | undefined;
  const signatures = new Map<string, Uint8Array>();
  for (const e of entries) {
    if (e.name === 'mimetype') continue;
    if (!e.name.startsWith('META-INF/')) {
      content.set(e.name, e.data);
      continue;
    }
    const rest = e.name.slice('META-INF/'.length);
    if (/^ASiCManifest[^/]*\.xml$/i.test(rest)) {
      if (manifestBytes) throw new AsicError('asic_manifest_invalid', 'more than one ASiCManifest');
      manifestBytes = e.data;
    } else if (/^signature[^/]*\.p7s$/i.test(rest)) {
      signatures.set(e.name, e.data);
    } else if (rest === 'manifest.xml') {
      // The OASIS manifest carries no security meaning; KS's reader reads it and so may we ignore it.
    } else {
      throw new AsicError('asic_unknown_metadata', `unknown metadata file ${e.name}`);
    }
  }
  if (!manifestBytes || signatures.size === 0) throw new AsicError('asic_unsigned', 'package is not signed');

  const manifest = readManifest(manifestBytes);
  const signature = signatures.get(manifest.sigReference);
  if (!signature) throw new AsicError('asic_unsigned', 'the manifest names no signature in the package');
  if (signatures.size > 1) throw new AsicError('asic_unknown_metadata', 'a signature the manifest does not name');

  let signer: VerifiedSignature;
  try {
    signer = await verifyDetached(signature, manifestBytes);
  } catch (error) {
    if (error instanceof CmsError) throw new AsicError('asic_signature_invalid', error.message, { cause: error });
    throw error;
  }
  if (options.trustSigner && !(await options.trustSigner(signer)))
    throw new AsicError('asic_untrusted_signer', 'the signing certificate is not the one expected');

  const files: Required<AsicFile>[] = [];
  for (const ref of manifest.references) {
    const data = content.get(ref.uri);
    if (!data) throw new AsicError('asic_missing_file', `listed file ${ref.uri} is missing`);
    const actual = createHash(ref.algorithm).update(data).digest();
    if (!actual.equals(ref.digest)) throw new AsicError('asic_digest_mismatch', `digest of ${ref.uri} does not match`);
    files.push({ name: ref.uri, data, mimeType: ref.mimeType ?? mimeTypeOf(ref.uri) });
  }
  for (const name of content.keys()) {
    if (!manifest.references.some((r) => r.uri === name))
      throw new AsicError('asic_unlisted_file', `file ${name} is not in the signed manifest`);
  }
  return { files, signer, ...(manifest.rootFile ? { rootFile: manifest.rootFile } : {}) };
}

interface ManifestReference {
  uri: string;
  mimeType?: string;
  algorithm: 'sha256' | 'sha384' | 'sha512';
  digest: Buffer;
  rootFile: boolean;
}

const manifestParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'DataObjectReference',
});

function readManifest(bytes: Uint8Array): { sigReference: string; references: ManifestReference[]; rootFile?: string } {
  const xml = Buffer.from(bytes).toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new AsicError('asic_manifest_invalid', 'manifest has a DTD');
  let doc: Record<string, unknown>;
  try {
    doc = manifestParser.parse(xml) as Record<string, unknown>;
  } catch (cause) {
    throw new AsicError('asic_manifest_invalid', 'manifest is not XML', { cause });
  }
  const root = doc.ASiCManifest as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') throw new AsicError('asic_manifest_invalid', 'no ASiCManifest element');
  const sig = root.SigReference as Record<string, unknown> | undefined;
  const sigReference = typeof sig?.['@URI'] === 'string' ? (sig['@URI'] as string) : undefined;
  if (!sigReference) throw new AsicError('asic_manifest_invalid', 'manifest has no SigReference');
  const refs = (root.DataObjectReference as Record<string, unknown>[] | undefined) ?? [];
  if (refs.length === 0) throw new AsicError('asic_manifest_invalid', 'manifest lists no files');
  const seen = new Set<string>();
  let rootFile: string | undefined;
  const references = refs.map((ref): ManifestReference => {
    const uri = ref['@URI'];
    const method = (ref.DigestMethod as Record<string, unknown> | undefined)?.['@Algorithm'];
    const value = ref.DigestValue;
    if (typeof uri !== 'string' || uri === '' || seen.has(uri))
      throw new AsicError('asic_manifest_invalid', 'a manifest entry has no or a repeated URI');
    seen.add(uri);
    const algorithm = typeof method === 'string' ? DIGEST_URIS[method] : undefined;
    if (!algorithm) throw new AsicError('asic_manifest_invalid', `unsupported digest method for ${uri}`);
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(value))
      throw new AsicError('asic_manifest_invalid', `no digest value for ${uri}`);
    const isRoot = ref['@Rootfile'] === 'true';
    if (isRoot) rootFile = uri;
    const mimeType = typeof ref['@MimeType'] === 'string' ? (ref['@MimeType'] as string) : undefined;
    return {
      uri,
      algorithm,
      digest: Buffer.from(value.replace(/\s/g, ''), 'base64'),
      rootFile: isRoot,
      ...(mimeType ? { mimeType } : {}),
    };
  });
  return { sigReference, references, ...(rootFile ? { rootFile } : {}) };
}

function asicManifest(files: AsicFile[], signatureName: string): string {
  const refs = files
    .map((f, i) => {
      const digest = createHash('sha256').update(f.data).digest('base64');
      const root = i === 0 ? ' Rootfile="true"' : '';
      return (
        `    <DataObjectReference URI="${attr(f.name)}" MimeType="${attr(f.mimeType ?? mimeTypeOf(f.name))}"${root}>\n` +
        `        <ns2:DigestMethod Algorithm="${SHA256_URI}"/>\n` +
        `        <ns2:DigestValue>${digest}</ns2:DigestValue>\n` +
        `    </DataObjectReference>\n`
      );
    })
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<ASiCManifest xmlns="${ASIC_NS}" xmlns:ns2="${DSIG_NS}">\n` +
    `    <SigReference URI="${attr(signatureName)}" MimeType="application/x-pkcs7-signature"/>\n` +
    refs +
    `</ASiCManifest>\n`
  );
}

function oasisManifest(files: AsicFile[]): string {
  const entries = files
    .map(
      (f) =>
        `    <manifest:file-entry manifest:full-path="${attr(f.name)}" manifest:media-type="${attr(f.mimeType ?? mimeTypeOf(f.name))}"/>\n`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">\n` +
    `    <manifest:file-entry manifest:full-path="/" manifest:media-type="${ASICE_MIMETYPE}"/>\n` +
    entries +
    `</manifest:manifest>\n`
  );
}

const PRECOMPRESSED = /^(application\/(pdf|zip|gzip)|image\/(png|jpeg))$/;

const MIME_TYPES: Record<string, string> = {
  xml: 'application/xml',
  pdf: 'application/pdf',
  json: 'application/json',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

export function mimeTypeOf(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/>/g, '&gt;');
}
