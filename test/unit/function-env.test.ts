import { describe, expect, it } from 'vitest';
import { createSecretReader } from '../../shared/aws/secrets.ts';
import { NOTIFICATIONS } from '../../shared/config/plan.ts';
import type { DeploymentConfig } from '../../shared/config/types.ts';
import { functionEnvironment, type HubEnvironment, readFunctionEnv } from '../../shared/runtime/env.ts';
import { FUNCTION_NAMES } from '../../shared/runtime/functions.ts';

const deployment = {
  deployment: 'halden',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
  providers: [{ id: 'eskjema', webhook: { url: '${HOOK_URL}', secret: { env: 'HOOK_SECRET' } } }],
  targets: [
    {
      id: 'halden-arkiv',
      kind: 'archive',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
      transport: { type: 'http', url: '${ARKIV_URL}', auth: { secret: { env: 'ARKIV_TOKEN' } } },
    },
    { id: 'halden-lonn', kind: 'fagsystem', transport: { type: 'file-drop', dir: '/tmp/lonn' } },
  ],
} as unknown as DeploymentConfig;

const hub = (emulators?: HubEnvironment['emulators']): HubEnvironment => ({
  tableName: 'table',
  idempotencyTableName: 'records',
  bucketName: 'bucket',
  queueUrls: { 'halden-arkiv': 'http://q/arkiv', 'halden-lonn': 'http://q/lonn', [NOTIFICATIONS]: 'http://q/notes' },
  configPath: '/config/halden.json',
  dataDir: '/data',
  configVariables: { HOOK_URL: 'https://hook.example', ARKIV_URL: 'https://arkiv.example' },
  jwt: {
    provider: { jwksUrl: 'https://maskinporten/jwk', issuer: 'https://maskinporten/', audience: 'https://hub' },
    admin: { jwksUrl: 'https://idp/jwks', issuer: 'i', audience: 'a' },
  },
  deployments: [deployment],
  secret: (variable) => `secret of ${variable}`,
  staffSignIn: {
    consoleUrl: 'https://hub.example/console/',
    issuer: 'https://idp',
    clientId: 'console',
    clientSecret: { env: 'STAFF_CLIENT_SECRET', value: 'secret of STAFF_CLIENT_SECRET' },
    scopes: ['openid', 'profile'],
    sessionMinutes: 60,
  },
  ...(emulators ? { emulators } : {}),
});

const local = {
  region: 'eu-north-1',
  endpoints: { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', s3: 'http://127.0.0.1:3' },
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

describe("a function's environment, written and read back", () => {
  it.each(FUNCTION_NAMES)('%s reads back what was written for it', (name) => {
    expect(() => readFunctionEnv(name, functionEnvironment(name, hub(local)))).not.toThrow();
  });

  it('gives each function only what it declared', () => {
    const read = (name: (typeof FUNCTION_NAMES)[number]) =>
      readFunctionEnv(name, functionEnvironment(name, hub(local))) as Record<string, any>;
    // The configuration says which provider a Maskinporten token is.
    expect(Object.keys(read('get-submission')).sort()).toEqual(['aws', 'config', 'jwt', 'name', 'tableName']);
    expect(read('get-submission').aws.endpoints).toEqual({ dynamodb: 'http://127.0.0.1:1' });
    expect(read('dead-letter').queueUrls).toEqual({ [NOTIFICATIONS]: 'http://q/notes' });
    expect(read('receive').queueUrls).toEqual({ 'halden-arkiv': 'http://q/arkiv', 'halden-lonn': 'http://q/lonn' });
    // Each function gets the issuer of its own callers, and not the other one.
    expect(read('admin').jwt).toEqual({
      SKJEMAFLYT_ADMIN_JWKS_URL: 'https://idp/jwks',
      SKJEMAFLYT_ADMIN_ISSUER: 'i',
      SKJEMAFLYT_ADMIN_AUDIENCE: 'a',
    });
    for (const name of ['receive', 'get-submission'] as const) {
      expect(read(name).jwt).toEqual({
        SKJEMAFLYT_PROVIDER_JWKS_URL: 'https://maskinporten/jwk',
        SKJEMAFLYT_PROVIDER_ISSUER: 'https://maskinporten/',
        SKJEMAFLYT_PROVIDER_AUDIENCE: 'https://hub',
      });
      expect(Object.keys(functionEnvironment(name, hub())).filter((v) => v.startsWith('SKJEMAFLYT_ADMIN_'))).toEqual(
        [],
      );
    }
    expect(
      Object.keys(functionEnvironment('admin', hub())).filter((v) => v.startsWith('SKJEMAFLYT_PROVIDER_')),
    ).toEqual([]);
    // The console's sign-in: the client secret for the sign-in function only; the admin API knows the console's URL.
    expect(read('console-session').consoleSession).toEqual({
      consoleUrl: 'https://hub.example/console/',
      signIn: {
        issuer: 'https://idp',
        clientId: 'console',
        clientSecretName: 'STAFF_CLIENT_SECRET',
        scopes: ['openid', 'profile'],
        sessionMinutes: 60,
      },
    });
    expect(read('admin').consoleSession).toEqual({ consoleUrl: 'https://hub.example/console/' });
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'console-session')) {
      expect(Object.values(functionEnvironment(name, hub()))).not.toContain('secret of STAFF_CLIENT_SECRET');
    }
    // Secrets go to the function that uses them, and nowhere else.
    const archive = functionEnvironment('deliver-archive', hub());
    expect(archive.ARKIV_TOKEN).toBe('secret of ARKIV_TOKEN');
    expect(archive.HOOK_SECRET).toBeUndefined();
    expect(functionEnvironment('deliver-fagsystem', hub()).ARKIV_TOKEN).toBeUndefined();
    expect(functionEnvironment('notify', hub()).HOOK_SECRET).toBe('secret of HOOK_SECRET');
    expect(read('notify').secrets.variable('HOOK_SECRET')).toBe('secret of HOOK_SECRET');
    // Every function that reads the configuration can expand its variables.
    expect(read('dead-letter').config.variable('HOOK_URL')).toBe('https://hook.example');
  });

  it('leaves region and credentials to the SDK on AWS, and names the emulators and their credentials locally', () => {
    const onAws = readFunctionEnv('receive', { ...functionEnvironment('receive', hub()), AWS_REGION: 'eu-north-1' });
    expect(onAws.aws).toEqual({ region: 'eu-north-1' });
    const locally = readFunctionEnv('receive', functionEnvironment('receive', hub(local)));
    expect(locally.aws).toEqual({
      region: 'eu-north-1',
      endpoints: local.endpoints,
      credentials: local.credentials,
      s3ForcePathStyle: true,
    });
  });

  it("refuses a single public key for providers' tokens: they come from Maskinporten's JWKS", () => {
    const withKey = { ...hub(), jwt: { ...hub().jwt, provider: { publicJwk: '{"kty":"EC"}' } } };
    expect(() => functionEnvironment('receive', withKey)).toThrow(/JWKS/);
  });

  it('names a variable the function declared but did not get', () => {
    const { SKJEMAFLYT_QUEUE_URLS: _, ...without } = functionEnvironment('dead-letter', hub());
    expect(() => readFunctionEnv('dead-letter', without)).toThrow(/SKJEMAFLYT_QUEUE_URLS/);
  });

  it('reads the environment once: a later change does not reach the function', () => {
    const source: Record<string, string> = functionEnvironment('notify', hub());
    const env = readFunctionEnv('notify', source);
    source.HOOK_SECRET = 'changed';
    expect(env.secrets.variable('HOOK_SECRET')).toBe('secret of HOOK_SECRET');
  });

  it('gives the Fiks IO secrets to the functions that declared them: as values locally, as a Secrets Manager prefix on AWS', async () => {
    const ref = (env: string) => ({ env });
    const withFiksIo = {
      ...deployment,
      targets: [
        {
          id: 'halden-arkiv',
          kind: 'archive',
          transport: {
            type: 'fiks-io',
            integration: { id: 'i', password: ref('FIO_PASSWORD') },
            certificate: ref('FIO_CERT'),
            privateKey: ref('FIO_KEY'),
            maskinporten: { privateKey: ref('FIO_KEY'), certificateChain: ref('FIO_CERT') },
          },
        },
      ],
    } as unknown as DeploymentConfig;
    const locally = { ...hub(local), deployments: [withFiksIo] };
    const onAws = { ...hub(), deployments: [withFiksIo], secretsPrefix: 'skjemaflyt/halden/' };
    for (const name of ['deliver-archive', 'fiks-io-receiver'] as const) {
      const env = functionEnvironment(name, locally);
      expect([env.FIO_CERT, env.FIO_KEY, env.FIO_PASSWORD]).toEqual([
        'secret of FIO_CERT',
        'secret of FIO_KEY',
        'secret of FIO_PASSWORD',
      ]);
      expect(env.SKJEMAFLYT_SECRETS_PREFIX).toBeUndefined();
      const read = readFunctionEnv(name, env);
      expect(await createSecretReader(read.fiksIoSecrets, read.aws)({ env: 'FIO_KEY' })).toBe('secret of FIO_KEY');
      const aws = functionEnvironment(name, onAws);
      expect(aws.SKJEMAFLYT_SECRETS_PREFIX).toBe('skjemaflyt/halden/');
      expect([aws.FIO_CERT, aws.FIO_KEY, aws.FIO_PASSWORD]).toEqual([undefined, undefined, undefined]);
      expect(readFunctionEnv(name, aws).fiksIoSecrets.prefix).toBe('skjemaflyt/halden/');
    }
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'deliver-archive' && n !== 'fiks-io-receiver')) {
      const env = functionEnvironment(name, onAws);
      // The webhook's secret comes from the same store: notify gets the prefix, for HOOK_SECRET only; receive and
      // admin for FOLDER_KEY_SECRET, which keys the fødselsnummer search terms.
      const prefix = ['notify', 'receive', 'admin'].includes(name) ? 'skjemaflyt/halden/' : undefined;
      expect([name, env.FIO_KEY, env.HOOK_SECRET, env.SKJEMAFLYT_SECRETS_PREFIX]).toEqual([
        name,
        undefined,
        undefined,
        prefix,
      ]);
      expect([name, functionEnvironment(name, locally).FIO_KEY]).toEqual([name, undefined]);
    }
    // Without a secret, no prefix; the HTTP archive's token is read under it like Fiks IO's keys.
    expect(functionEnvironment('deliver-fagsystem', { ...hub(), secretsPrefix: 'p/' }).SKJEMAFLYT_SECRETS_PREFIX).toBe(
      undefined,
    );
    const archive = functionEnvironment('deliver-archive', { ...hub(), secretsPrefix: 'p/' });
    expect([archive.SKJEMAFLYT_SECRETS_PREFIX, archive.ARKIV_TOKEN]).toEqual(['p/', undefined]);
  });
});
