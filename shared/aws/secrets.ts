import type { FiksIoSecretsEnv } from '../runtime/env.ts';
import { createSecretStore, type SecretStore } from '../secrets/store.ts';
import type { SecretReader } from '../targets/fiks-io-connection.ts';
import type { AwsConfig } from './config.ts';

/**
 * A function's reader of its Fiks IO secrets (certificates, keys, password), from the same store as every other
 * secret (shared/secrets/store.ts): Secrets Manager `<prefix><ENV>` on AWS, cached briefly; locally a file under
 * the data dir or the variable the hub wrote. A PEM or two would not fit in Lambda's 4 KB of environment anyway.
 */
export function createSecretReader(env: FiksIoSecretsEnv, aws: AwsConfig): SecretReader {
  return secretReaderOf(createSecretStore(env, aws));
}

/** A store as the Fiks IO connection reads it: by the secret's reference. */
export function secretReaderOf(store: SecretStore): SecretReader {
  return (ref) => store.get(ref.env);
}
