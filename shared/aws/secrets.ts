import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from '../config/types.ts';
import type { FiksIoSecretsEnv } from '../runtime/env.ts';
import type { SecretReader } from '../targets/fiks-io-connection.ts';
import { type AwsConfig, clientOptions } from './config.ts';

/**
 * A function's reader of its Fiks IO secrets, from its environment (shared/runtime/env.ts): the variable when set
 * (locally the hub writes the values there), else the Secrets Manager secret `<prefix><ENV>` (on AWS, e.g.
 * skjemaflyt/halden/HALDEN_FIKS_IO_PRIVATE_KEY), read once per cold start. Certificates and keys go this way on
 * AWS: a PEM or two would not fit in Lambda's 4 KB of environment.
 */
export function createSecretReader(env: FiksIoSecretsEnv, aws: AwsConfig): SecretReader {
  let client: SecretsManagerClient | undefined;
  const cache = new Map<string, Promise<string | undefined>>();
  return async (ref: SecretRef) => {
    const fromEnv = env.variable(ref.env);
    if (fromEnv) return fromEnv;
    if (!env.prefix) return undefined;
    const id = `${env.prefix}${ref.env}`;
    let value = cache.get(id);
    if (!value) {
      client ??= new SecretsManagerClient(clientOptions(aws, 'secretsmanager'));
      value = client.send(new GetSecretValueCommand({ SecretId: id })).then(
        (answer) => answer.SecretString || undefined,
        (error: unknown) => {
          // A failed read is not kept: the next attempt reads again.
          cache.delete(id);
          if (error instanceof ResourceNotFoundException) return undefined;
          throw error;
        },
      );
      cache.set(id, value);
    }
    return value;
  };
}
