import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** The algorithm assumed for a single public key that names none. */
export const DEV_ALGORITHM = 'ES256';

export interface StoredKeyPair {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Where the local development keys live: `<data dir>/dev-keys`. */
export function devKeysDir(dataDir: string): string {
  return join(dataDir, 'dev-keys');
}

/**
 * A key pair kept in a file under the data dir, made on first use, so tokens survive a restart. Only this user
 * may read it; flag 'wx' so two starting processes don't overwrite each other.
 */
export async function loadOrCreateKeyPair(file: string, alg: string, kidPrefix: string): Promise<StoredKeyPair> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `${kidPrefix}-${Date.now().toString(36)}`;
    let stored: StoredKeyPair = {
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    };
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' }).catch(async () => {
      stored = JSON.parse(await readFile(file, 'utf8'));
    });
    return stored;
  }
}
