import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalHttpServer, startHttpServer } from '../../infra/local/http-server.ts';
import { principalResolver } from '../../shared/auth/tokens.ts';
import { callerKey, createThrottle } from '../../shared/http/throttle.ts';

describe('token buckets', () => {
  it('allows the burst, then one request per 1/rate seconds', () => {
    let t = 0;
    const throttle = createThrottle(
      () => ({ requestsPerSecond: 2, burst: 3 }),
      () => t,
    );
    expect([1, 2, 3, 4].map(() => throttle.take('provider:a'))).toEqual([0, 0, 0, 1]);
    expect(throttle.take('provider:b')).toBe(0);
    t = 499;
    expect(throttle.take('provider:a')).toBe(1);
    t = 1000;
    expect([1, 2, 3].map(() => throttle.take('provider:a'))).toEqual([0, 0, 1]);
  });

  it('tells how long to wait', () => {
    const throttle = createThrottle(
      () => ({ requestsPerSecond: 0.1, burst: 1 }),
      () => 0,
    );
    throttle.take('k');
    expect(throttle.take('k')).toBe(10);
  });
});

describe('throttling in the local API Gateway', () => {
  let server: LocalHttpServer | undefined;
  afterAll(() => server?.close());

  it('answers 429 problem+json per provider, counts bad tokens against their address, and never calls the function', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const verify = principalResolver(
      {
        providers: {
          issuer: 'i',
          audience: 'a',
          keys: { publicJwk: { ...(await exportJWK(publicKey)), alg: 'ES256' } },
          algorithms: ['ES256'],
        },
      },
      () => [
        { providerId: 'leverandor-a', consumer: '938002134', scope: 's:a' },
        { providerId: 'leverandor-b', consumer: '944383565', scope: 's:a' },
      ],
    );
    const sign = (provider: string) =>
      new SignJWT({
        consumer: {
          authority: 'iso6523-actorid-upis',
          ID: `0192:${provider === 'leverandor-a' ? '938002134' : '944383565'}`,
        },
        client_id: provider,
        scope: 's:a',
      })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('i')
        .setAudience('a')
        .setExpirationTime('5m')
        .sign(privateKey);
    const throttle = createThrottle(() => ({ requestsPerSecond: 0.001, burst: 2 }));
    let calls = 0;
    server = await startHttpServer({
      port: 0,
      ready: true,
      routes: [
        {
          method: 'GET',
          path: '/v1/ping',
          functionName: 'ping',
          handler: async () => {
            calls++;
            return { statusCode: 200, body: 'ok' };
          },
        },
      ],
      throttle: async (r) => throttle.take(await callerKey(r.headers.authorization, r.sourceIp, verify)),
    });
    const get = async (authorization?: string) =>
      fetch(`${server?.url}/v1/ping`, { headers: authorization ? { authorization } : {} });
    const a = `Bearer ${await sign('leverandor-a')}`;
    const b = `Bearer ${await sign('leverandor-b')}`;

    expect((await get(a)).status).toBe(200);
    expect((await get(a)).status).toBe(200);
    const limited = await get(a);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { status: number }).status).toBe(429);
    expect((await get(b)).status).toBe(200);
    // Forged tokens claiming to be provider b do not use up b's share.
    expect((await get(`Bearer ${(await sign('leverandor-b')).slice(0, -4)}AAAA`)).status).toBe(200);
    expect((await get('Bearer forged')).status).toBe(200);
    expect((await get('Bearer forged')).status).toBe(429);
    expect((await get(b)).status).toBe(200);
    expect(calls).toBe(6);
  });
});
