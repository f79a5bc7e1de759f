import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AwsConfig, clientOptions } from '../aws/config.ts';
import type { SecretsEnv } from '../runtime/env.ts';

/**
 * Every secret a function uses (targets' tokens, webhook secrets, Fiks IO's certificates, keys and password), read
 * at run time and cached for a short while, so a rotated secret reaches a running function within minutes and a
 * deploy never has to carry one. On AWS from Secrets Manager (`<prefix><ENV>`, Powertools Parameters); locally from
 * a file `<data dir>/secrets/<ENV>`, else the variable the hub wrote for the function. The same caching either way.
 */
export interface SecretStore {
  /** The secret's value, undefined when it is not set; `forceFetch` skips the cache (after a target said 401/403). */
  get(name: string, options?: { forceFetch?: boolean }): Promise<string | undefined>;
}

/** How long a secret is used before it is read again (a rotation reaches every function within this). */
export const SECRET_MAX_AGE_SECONDS = 300;

/** Where the local store's files are: `<data dir>/secrets/<ENV>`, one value per file (a trailing newline is ignored). */
export const LOCAL_SECRETS_DIR = 'secrets';

/** The store a function's environment describes: Secrets Manager under the prefix (AWS), else the local store. */
export function createSecretStore(env: SecretsEnv, aws: AwsConfig): SecretStore {
  const provider: BaseProvider = env.prefix
    ? new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(clientOptions(aws, 'secretsmanager')) })
    : new LocalSecretsProvider(env);
  const prefix = env.prefix ?? '';
  return {
    async get(name, options = {}) {
      try {
        const value = await provider.get(`${prefix}${name}`, {
          maxAge: SECRET_MAX_AGE_SECONDS,
          forceFetch: options.forceFetch ?? false,
          throwOnMissing: true,
        });
        return typeof value === 'string' && value !== '' ? value : undefined;
      } catch (error) {
        if (error instanceof ParameterNotFoundError) return undefined;
        throw error;
      }
    },
  };
}

/** The local runner's secrets: a file under the data dir (edit it to rotate), else the function's variable. */
class LocalSecretsProvider extends BaseProvider {
  private readonly env: SecretsEnv;

  constructor(env: SecretsEnv) {
    super({});
    this.env = env;
  }

  protected async _get(name: string): Promise<string | undefined> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
    if (this.env.dataDir) {
      try {
        const text = (await readFile(join(this.env.dataDir, LOCAL_SECRETS_DIR, name), 'utf8')).replace(/\r?\n$/, '');
        if (text) return text;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return this.env.variable(name) || undefined;
  }

  protected _getMultiple(): Promise<Record<string, unknown>> {
    throw new Error('Not used: secrets are read one by one');
  }
}
