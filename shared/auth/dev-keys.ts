import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const DEV_ALGORITHM = 'ES256';

export interface DevKeys {
  publicJwk: JWK;
  privateKey: CryptoKey;
}

/**
 * The local signing key for development tokens, kept in the data dir so tokens survive a restart.
 * On AWS tokens come from Maskinporten / the municipality's identity provider instead.
 */
export async function loadOrCreateDevKeys(dataDir: string): Promise<DevKeys> {
  const dir = join(dataDir, 'dev-keys');
  const file = join(dir, 'jwt-signing-key.json');
  let stored: { privateJwk: JWK; publicJwk: JWK };
  try {
    stored = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    const { privateKey, publicKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
    const kid = `dev-${Date.now().toString(36)}`;
    stored = {
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: DEV_ALGORITHM },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: DEV_ALGORITHM, use: 'sig' },
    };
    await mkdir(dir, { recursive: true });
    // Only this user may read the private key; flag 'wx' so two starting processes don't overwrite each other.
    await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' }).catch(async () => {
      stored = JSON.parse(await readFile(file, 'utf8'));
    });
  }
  return { publicJwk: stored.publicJwk, privateKey: (await importJWK(stored.privateJwk, DEV_ALGORITHM)) as CryptoKey };
}
