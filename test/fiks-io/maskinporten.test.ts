import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaskinportenClient, MaskinportenError } from '../../shared/fiks-io/maskinporten.ts';
import { OpensslDir, requireOpenssl, type TestIdentity } from './helpers/openssl.ts';
import { startTokenEndpoint, type TokenEndpoint } from './helpers/token-endpoint.ts';

let ssl: OpensslDir;
let hub: TestIdentity;
let stranger: TestIdentity;
let endpoint: TokenEndpoint;

beforeAll(async () => {
  requireOpenssl();
  ssl = new OpensslDir();
  hub = ssl.identity('hub');
  stranger = ssl.identity('stranger');
  endpoint = await startTokenEndpoint({ 'hub-client': { certificatePem: hub.certificatePem, scopes: ['ks:fiks'] } });
});
afterAll(async () => {
  await endpoint?.close();
  ssl?.remove();
});

function client(identity: TestIdentity, clock: { t: number }) {
  return createMaskinportenClient({
    audience: endpoint.issuer,
    tokenEndpoint: endpoint.url,
    clientId: 'hub-client',
    privateKeyPem: identity.keyPem,
    certificateChainPem: identity.certificatePem,
    now: () => clock.t,
  });
}

describe('Maskinporten JWT-bearer grant client', () => {
  it('gets a token the endpoint issued for the scope, and reuses it until shortly before it expires', async () => {
    const clock = { t: Date.now() };
    const mp = client(hub, clock);
    const before = endpoint.requests;
    const [a, b] = await Promise.all([mp.token('ks:fiks'), mp.token('ks:fiks')]);
    expect(a).toBe(b);
    expect((await endpoint.verify(a))?.scope).toBe('ks:fiks');
    expect(endpoint.requests - before).toBe(1); // concurrent callers share one request
    clock.t += 80_000; // 120 s token, renewed 30 s before expiry
    expect(await mp.token('ks:fiks')).toBe(a);
    expect(endpoint.requests - before).toBe(1);
    clock.t += 15_000;
    await mp.token('ks:fiks');
    expect(endpoint.requests - before).toBe(2);
  });

  it('a refused grant is a typed, non-retryable error; an outage is retryable', async () => {
    const clock = { t: Date.now() };
    const refused = await client(stranger, clock)
      .token('ks:fiks')
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MaskinportenError);
    expect(refused).toMatchObject({ code: 'maskinporten_refused', retryable: false, status: 400 });
    const scope = await client(hub, clock)
      .token('other:scope')
      .catch((e: unknown) => e);
    expect(scope).toMatchObject({ code: 'maskinporten_refused', retryable: false });
    endpoint.failNext(1, 503);
    const down = await client(hub, clock)
      .token('ks:fiks')
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'maskinporten_unavailable', retryable: true, status: 503 });
    expect(typeof (await client(hub, clock).token('ks:fiks'))).toBe('string');
  });
});
