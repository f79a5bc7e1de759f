/**
 * Folder keys never carry a fødselsnummer in clear: a key is not screened, and it travels in receipts and logs.
 * A national id in a key becomes a keyed pseudonym (HMAC-SHA-256 with a per-deployment secret), so the same person
 * still finds the same folder and nobody without the secret can tell whose it is.
 *
 * The secret is read at run time, like the other secrets: the archive delivery reads `FOLDER_KEY_SECRET` from the
 * secret store (on AWS Secrets Manager, `skjemaflyt/<deployment>/FOLDER_KEY_SECRET`) and provides it here; else
 * SKJEMAFLYT_FOLDER_KEY_SECRET, else locally `<SKJEMAFLYT_DATA_DIR>/folder-key.secret`, made once (random, 0600)
 * on first use; on Lambda without it no record is made. Changing it gives every person a new folder key: keep it
 * with the deployment.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FOLDER_KEY_SECRET_VARIABLE = 'SKJEMAFLYT_FOLDER_KEY_SECRET';
/** The secret's name in the secret store (shared/secrets) */
export const FOLDER_KEY_SECRET_NAME = 'FOLDER_KEY_SECRET';
const FILE = 'folder-key.secret';

let cached: { source: string; secret: Buffer } | undefined;

export class FolderKeySecretMissing extends Error {
  override name = 'FolderKeySecretMissing';
}

let provided: Buffer | undefined;

/** The deployment's secret, as the archive delivery read it from the secret store. */
export function provideFolderKeySecret(value: string): void {
  if (value.length < 16) throw new FolderKeySecretMissing(`${FOLDER_KEY_SECRET_NAME} is shorter than 16 characters`);
  if (provided?.toString('utf8') !== value) provided = Buffer.from(value, 'utf8');
}

export function folderKeySecret(env: NodeJS.ProcessEnv = process.env): Buffer {
  if (provided) return provided;
  const fromEnv = env[FOLDER_KEY_SECRET_VARIABLE];
  if (fromEnv !== undefined && fromEnv.length > 0) {
    if (fromEnv.length < 16)
      throw new FolderKeySecretMissing(`${FOLDER_KEY_SECRET_VARIABLE} is shorter than 16 characters`);
    if (cached?.source !== `env:${fromEnv}`)
      cached = { source: `env:${fromEnv}`, secret: Buffer.from(fromEnv, 'utf8') };
    return cached.secret;
  }
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new FolderKeySecretMissing(`${FOLDER_KEY_SECRET_VARIABLE} is not set: folder keys cannot be pseudonymised`);
  }
  const file = join(resolve(env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt'), FILE);
  if (cached?.source === `file:${file}`) return cached.secret;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(resolve(file, '..'), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      // Another process made it first: read theirs.
    }
    text = readFileSync(file, 'utf8').trim();
  }
  cached = { source: `file:${file}`, secret: Buffer.from(text, 'utf8') };
  return cached.secret;
}

/** The pseudonym of a national id: "p" and 32 hex digits (128 bits of HMAC-SHA-256). */
export function pseudonym(value: string, secret: Buffer = folderKeySecret()): string {
  return `p${createHmac('sha256', secret).update(`folder-key\u0000${value}`, 'utf8').digest('hex').slice(0, 32)}`;
}
