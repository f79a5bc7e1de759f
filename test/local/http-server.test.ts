import { request } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type HttpRoute, type LocalHttpServer, startHttpServer } from '../../infra/local/http-server.ts';

let server: LocalHttpServer;
const calls: { event: APIGatewayProxyEventV2; context: Context }[] = [];

const routes: HttpRoute[] = [
  {
    method: 'POST',
    path: '/v1/submissions',
    functionName: 'receive',
    handler: async (event, context) => {
      calls.push({ event, context });
      return {
        statusCode: 202,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Echo': 'ja' },
        cookies: ['a=1; Path=/', 'b=2'],
        body: JSON.stringify({ received: event.body?.length ?? 0, remaining: context.getRemainingTimeInMillis() }),
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/submissions/{trackingId}',
    functionName: 'get-submission',
    handler: async (event, context) => {
      calls.push({ event, context });
      if (event.pathParameters?.trackingId === 'boom') throw new Error('secret internals: table xyz');
      if (event.pathParameters?.trackingId === 'binary') {
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/pdf' },
          body: 'JVBERi0=',
          isBase64Encoded: true,
        };
      }
      if (event.pathParameters?.trackingId === 'plain') return { hello: 'verden' };
      return { statusCode: 200, body: 'ok' };
    },
  },
];

beforeAll(async () => {
  server = await startHttpServer({ port: 0, bodyLimitBytes: 1024 * 1024 });
});

afterAll(async () => {
  await server?.close();
});

describe('local API Gateway (HTTP API, payload 2.0)', () => {
  it('answers 503 on /health and the API until ready', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    const api = await fetch(`${server.url}/v1/submissions`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(503);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    server.setRoutes(routes);
    server.setReady(true);
    const ready = await fetch(`${server.url}/health`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });

  it('tells the handler the time left of its 29 s timeout, counting down', async () => {
    // Only Date is faked: the clock stands still unless the test moves it, however busy the machine is.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const response = await fetch(`${server.url}/v1/submissions`, { method: 'POST', body: '{}' });
      expect(((await response.json()) as { remaining: number }).remaining).toBe(29_000);
      const { context } = calls.at(-1) as { context: Context };
      vi.setSystemTime(Date.now() + 4_000);
      expect(context.getRemainingTimeInMillis()).toBe(25_000);
      vi.setSystemTime(Date.now() + 30_000);
      expect(context.getRemainingTimeInMillis()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('turns a request into a v2 event and the structured result back into a response', async () => {
    const body = JSON.stringify({ submitter: { name: 'Åse Østby-Lærum' }, note: 'æøå ÆØÅ' });
    const response = await fetch(`${server.url}/v1/submissions?a=1&b=x%20y&a=2`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: 'Bearer abc',
        'user-agent': 'test-agent',
        cookie: 'session=1; theme=dark',
      },
      body,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-echo')).toBe('ja');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    const json = (await response.json()) as { received: number; remaining: number };
    expect(json.received).toBe(body.length);

    const { event, context } = calls.at(-1) as { event: APIGatewayProxyEventV2; context: Context };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/submissions',
      rawPath: '/v1/submissions',
      rawQueryString: 'a=1&b=x%20y&a=2',
      queryStringParameters: { a: '1,2', b: 'x y' },
      cookies: ['session=1', 'theme=dark'],
      body,
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/v1/submissions', protocol: 'HTTP/1.1', userAgent: 'test-agent' },
        routeKey: 'POST /v1/submissions',
        stage: '$default',
      },
    });
    expect(event.pathParameters).toBeUndefined();
    expect(event.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      authorization: 'Bearer abc',
      'x-forwarded-proto': 'http',
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(event.requestContext.requestId).toMatch(/\S/);
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(event.requestContext.timeEpoch).toBeGreaterThan(0);
    expect(context.functionName).toBe('receive');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('joins repeated headers with commas', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
      });
      req.setHeader('X-Multi', ['one', 'two']); // two header lines
      req.on('response', (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('hei');
    });
    expect(calls.at(-1)?.event.headers['x-multi']).toBe('one,two');
    expect(calls.at(-1)?.event.body).toBe('hei');
  });

  it('passes binary bodies base64-encoded and decodes base64 responses', async () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe, 0x80]);
    const response = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: bytes,
    });
    expect(response.status).toBe(202);
    const { event } = calls.at(-1) as { event: APIGatewayProxyEventV2 };
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);

    const pdf = await fetch(`${server.url}/v1/submissions/binary`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).toString('latin1')).toBe('%PDF-');
  });

  it('fills pathParameters from the route template', async () => {
    const response = await fetch(`${server.url}/v1/submissions/SF-2025-%C3%86B12`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    const { event, context } = calls.at(-1) as { event: APIGatewayProxyEventV2; context: Context };
    expect(event.routeKey).toBe('GET /v1/submissions/{trackingId}');
    expect(event.rawPath).toBe('/v1/submissions/SF-2025-%C3%86B12');
    expect(event.pathParameters).toEqual({ trackingId: 'SF-2025-ÆB12' });
    expect(event.body).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
    expect(context.functionName).toBe('get-submission');
  });

  it('answers a result without statusCode as 200 JSON, like API Gateway', async () => {
    const response = await fetch(`${server.url}/v1/submissions/plain`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'verden' });
  });

  it('answers 404 / 405 as problem+json', async () => {
    const missing = await fetch(`${server.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 404 });

    const wrongMethod = await fetch(`${server.url}/v1/submissions`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await wrongMethod.json()).toMatchObject({ status: 405 });
  });

  it('answers 500 problem+json without internals when the handler throws', async () => {
    const response = await fetch(`${server.url}/v1/submissions/boom`);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await response.text();
    expect(text).not.toMatch(/secret|xyz|Error/);
    expect(JSON.parse(text)).toMatchObject({ status: 500 });
  });

  it('answers 413 when the body is over the limit, streamed or declared', async () => {
    const before = calls.length;
    const big = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const declared = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await declared.json()).toMatchObject({ status: 413 });

    // Chunked, no content-length: the limit applies while streaming.
    const chunks = (async function* () {
      for (let i = 0; i < 20; i++) yield new Uint8Array(64 * 1024).fill(0x62);
    })();
    const streamed = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: ReadableStream.from(chunks),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(calls.length).toBe(before);

    // Exactly at the limit is fine.
    const atLimit = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: big.subarray(0, 1024 * 1024),
    });
    expect(atLimit.status).toBe(202);
  });

  it('serves mounted static routes', async () => {
    server.mount({
      prefix: '/console/',
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<h1>Integrasjonsfeil</h1>');
      },
    });
    const page = await fetch(`${server.url}/console/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Integrasjonsfeil');
  });
});
