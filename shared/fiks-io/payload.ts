/**
 * A Fiks IO payload: the files as a signed ASiC-E, encrypted for the recipient's certificate (what KS's
 * fiks-io-asice-handler writes), and the reverse. The one place packing and crypto are composed.
 */

import type { Certificate } from 'pkijs';
import { AsicError, type AsicFile, type OpenAsicOptions, type OpenedAsic, openAsic, packAsic } from './asic.ts';
import { CmsError, decryptWith, encryptFor, type KeyPairIdentity } from './cms.ts';

export async function sealPayload(
  files: AsicFile[],
  signer: KeyPairIdentity,
  recipient: Certificate,
): Promise<Uint8Array> {
  return encryptFor(await packAsic(files, signer), recipient);
}

export interface OpenPayloadOptions extends OpenAsicOptions {
  /** Refuse an encrypted payload larger than this before decrypting. Default 64 MiB. */
  maxEncryptedBytes?: number;
}

/** Decrypts with whichever key the payload is for, then opens and verifies the package. Throws CmsError/AsicError. */
export async function openPayload(
  encrypted: Uint8Array,
  keys: KeyPairIdentity[],
  options: OpenPayloadOptions = {},
): Promise<OpenedAsic> {
  const max = options.maxEncryptedBytes ?? 64 * 1024 * 1024;
  if (encrypted.byteLength > max) throw new AsicError('asic_too_large', `payload is over ${max} bytes`);
  const zip = await decryptWith(encrypted, keys);
  return openAsic(zip, options);
}

/** The refusal reason of an error from openPayload, if it is one (safe to log). */
export function refusalCode(error: unknown): string | undefined {
  if (error instanceof AsicError || error instanceof CmsError) return error.code;
  return undefined;
}
