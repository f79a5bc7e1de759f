import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore, LOCAL_SECRETS_DIR } from '../../shared/secrets/store.ts';

/**
 * A Secrets Manager stand-in speaking its JSON 1.1 protocol (X-Amz-Target: secretsmanager.GetSecretValue, as the
 * SDK sends it): values by SecretId, ResourceNotFoundException for others, and a count of reads.
 */
const values = new Map<string, string>();
const reads: string[] = [];
let endpoint: string;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    const target = req.headers['x-amz-target'];
    const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (target !== 'secretsmanager.GetSecretValue' || !SecretId) {
      res.writeHead(400).end(JSON.stringify({ __type: 'InvalidRequestException', message: 'unsupported' }));
      return;
    }
    reads.push(SecretId);
    const value = values.get(SecretId);
    if (value === undefined) {
      res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
      return;
    }
    res.writeHead(200).end(JSON.stringify({ Name: SecretId, SecretString: value, VersionId: 'v1' }));
  });
});

beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const onAws = () =>
  createSecretStore(
    { prefix: 'skjemaflyt/sarpsborg/', variable: () => 'never from the environment on AWS' },
    {
      region: 'eu-north-1',
      endpoints: { secretsmanager: endpoint },
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
  );

describe('secrets on AWS (Secrets Manager, Powertools Parameters)', () => {
  it('reads `<prefix><ENV>` once and serves it from the cache until forced', async () => {
    values.set('skjemaflyt/sarpsborg/ARKIV_TOKEN', 'token-1');
    reads.length = 0;
    const store = onAws();
    expect(await store.get('ARKIV_TOKEN')).toBe('token-1');
    values.set('skjemaflyt/sarpsborg/ARKIV_TOKEN', 'token-2');
    expect(await store.get('ARKIV_TOKEN')).toBe('token-1');
    expect(reads).toEqual(['skjemaflyt/sarpsborg/ARKIV_TOKEN']);
    // After a 401 from the target: read again.
    expect(await store.get('ARKIV_TOKEN', { forceFetch: true })).toBe('token-2');
    expect(await store.get('ARKIV_TOKEN')).toBe('token-2');
    expect(reads).toHaveLength(2);
  });

  it('a secret the operator has not created is not set (undefined), and is asked for again next time', async () => {
    reads.length = 0;
    const store = onAws();
    expect(await store.get('MISSING')).toBeUndefined();
    expect(await store.get('MISSING')).toBeUndefined();
    expect(reads).toEqual(['skjemaflyt/sarpsborg/MISSING', 'skjemaflyt/sarpsborg/MISSING']);
  });
});

describe('secrets locally (a file under the data dir, else the variable)', () => {
  it('prefers the file, caches it, and reads it again when forced', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'skjemaflyt-secrets-'));
    const variables: Record<string, string> = { TOKEN: 'from-variable' };
    const store = createSecretStore({ dataDir, variable: (name) => variables[name] }, {});
    expect(await store.get('TOKEN')).toBe('from-variable');
    await mkdir(join(dataDir, LOCAL_SECRETS_DIR));
    await writeFile(join(dataDir, LOCAL_SECRETS_DIR, 'TOKEN'), 'from-file\n');
    expect(await store.get('TOKEN')).toBe('from-variable');
    expect(await store.get('TOKEN', { forceFetch: true })).toBe('from-file');
    expect(await store.get('NOT_SET')).toBeUndefined();
    // A name is a variable name, never a path.
    expect(await store.get('../TOKEN')).toBeUndefined();
  });
});
