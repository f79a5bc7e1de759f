import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from '../config/types.ts';

/** Where the stack keeps a deployment's secrets: `<prefix><ENV>`, e.g. skjemaflyt/halden/HALDEN_FIKS_IO_PRIVATE_KEY. */
export const SECRETS_PREFIX_VARIABLE = 'SKJEMAFLYT_SECRETS_PREFIX';

let client: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<string | undefined>>();

/**
 * A secret's value: its environment variable when set (locally, and small secrets the stack puts in the
 * environment), else the Secrets Manager secret `<SKJEMAFLYT_SECRETS_PREFIX><ENV>`, read once per cold start.
 * Certificates and keys go this way on AWS: a PEM or two would not fit in Lambda's 4 KB of environment.
 */
export async function readSecret(ref: SecretRef): Promise<string | undefined> {
  const fromEnv = process.env[ref.env];
  if (fromEnv) return fromEnv;
  const prefix = process.env[SECRETS_PREFIX_VARIABLE];
  if (!prefix) return undefined;
  const id = `${prefix}${ref.env}`;
  let value = cache.get(id);
  if (!value) {
    client ??= new SecretsManagerClient({});
    value = client.send(new GetSecretValueCommand({ SecretId: id })).then(
      (answer) => answer.SecretString || undefined,
      (error: unknown) => {
        cache.delete(id);
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      },
    );
    cache.set(id, value);
  }
  return value;
}
