import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type HttpProblem, NOSNIFF, problemOf, problemResponse, problems } from '../../shared/http/problem.ts';
import { createLambdaContext, FunctionTimeoutError, LOCAL_ACCOUNT_ID, withTimeout } from './lambda-context.ts';

/**
 * API Gateway (HTTP API, payload format 2.0) in front of the HTTP handlers, on node:http.
 * The server can listen before the routes exist: until setReady(true), /health and the API answer 503.
 */

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2 | unknown>;

export interface HttpRoute {
  method: string;
  /** API Gateway route syntax: `/v1/submissions/{trackingId}`, `/files/{proxy+}` */
  path: string;
  /** Lambda function name for the context, e.g. `receive` */
  functionName: string;
  handler: HttpHandler;
}

/** Requests under `prefix` (e.g. `/console/`) go to `handle` instead of a Lambda, e.g. a static-file server. */
export interface StaticMount {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface LocalHttpServerOptions {
  /** Default 8080; 0 = a free port */
  port?: number;
  host?: string;
  region?: string;
  routes?: HttpRoute[];
  mounts?: StaticMount[];
  /** API Gateway's payload limit: 10 MB */
  bodyLimitBytes?: number;
  /** API Gateway HTTP API's integration timeout is 30 s; the function gets slightly less. */
  functionTimeoutMs?: number;
  ready?: boolean;
  log?: (line: string) => void;
  /** Throttling as API Gateway's: seconds the caller must wait (0: go on), decided before the body is read. */
  throttle?: (request: ThrottleRequest) => number | Promise<number>;
}

export interface ThrottleRequest {
  headers: IncomingHttpHeaders;
  sourceIp: string;
  routeKey: string;
}

export interface LocalHttpServer {
  url: string;
  port: number;
  server: Server;
  setRoutes(routes: HttpRoute[]): void;
  setThrottle(throttle: LocalHttpServerOptions['throttle']): void;
  mount(mount: StaticMount): void;
  setReady(ready: boolean): void;
  /** Stops accepting, lets requests in flight finish (up to timeoutMs), then closes what is left. */
  close(timeoutMs?: number): Promise<void>;
}

export const API_GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

interface CompiledRoute extends HttpRoute {
  routeKey: string;
  pattern: RegExp;
  names: string[];
}

export function compileRoute(route: HttpRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy?.[1]) {
        names.push(greedy[1]);
        return '(.+)';
      }
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return {
    ...route,
    method: route.method.toUpperCase(),
    routeKey: `${route.method.toUpperCase()} ${route.path}`,
    pattern: new RegExp(`^${source}$`),
    names,
  };
}

export async function startHttpServer(options: LocalHttpServerOptions = {}): Promise<LocalHttpServer> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'eu-north-1';
  const bodyLimit = options.bodyLimitBytes ?? API_GATEWAY_BODY_LIMIT;
  const timeoutMs = options.functionTimeoutMs ?? 29_000;
  let routes = (options.routes ?? []).map(compileRoute);
  const mounts = [...(options.mounts ?? [])];
  let ready = options.ready ?? false;
  let throttle = options.throttle;
  let port = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      log(`HTTP ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) sendProblem(res, localProblems.internal());
      else res.destroy();
    });
  });
  // Large uploads over slow links: don't cut requests off at Node's defaults.
  server.requestTimeout = 120_000;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const rawPath = (req.url ?? '/').split('?')[0] || '/';
    const method = (req.method ?? 'GET').toUpperCase();

    if (rawPath === '/health') {
      if (method !== 'GET' && method !== 'HEAD') {
        return sendProblem(res, localProblems.methodNotAllowed(`${method} er ikke tillatt på /health.`), {
          allow: 'GET',
        });
      }
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' });
    }
    for (const mount of mounts) {
      if (rawPath.startsWith(mount.prefix) || `${rawPath}/` === mount.prefix) {
        return mount.handle(req, res);
      }
    }
    if (!ready) {
      return sendProblem(res, localProblems.unavailable('Skjemaflyt starter. Prøv igjen om litt.'), {
        'retry-after': '1',
      });
    }

    const onPath = routes.filter((r) => r.pattern.test(rawPath));
    if (onPath.length === 0) {
      return sendProblem(res, problems.notFound(`Det finnes ingenting på ${rawPath}.`));
    }
    const route = onPath.find((r) => r.method === method || r.method === 'ANY');
    if (!route) {
      const allow = [...new Set(onPath.map((r) => r.method))].join(', ');
      return sendProblem(res, localProblems.methodNotAllowed(`${method} er ikke tillatt på ${rawPath}.`), { allow });
    }

    const wait = throttle
      ? await throttle({
          headers: req.headers,
          sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
          routeKey: route.routeKey,
        })
      : 0;
    if (wait > 0) {
      req.resume();
      return sendProblem(res, problems.tooManyRequests('For mange forespørsler. Vent litt og prøv igjen.'), {
        'retry-after': String(wait),
        connection: 'close',
      });
    }

    const body = await readBody(req, bodyLimit);
    if (body === 'too-large') {
      const megabytes = Math.round((bodyLimit / 1024 / 1024) * 10) / 10;
      return sendProblem(res, problems.tooLarge(`Forespørselen er større enn ${megabytes} MB.`), {
        connection: 'close',
      });
    }

    const event = toApiGatewayEvent(req, route, body, { port, host });
    const context = createLambdaContext({ functionName: route.functionName, region, timeoutMs });
    let result: unknown;
    try {
      result = await withTimeout(Promise.resolve(route.handler(event, context)), timeoutMs, route.functionName);
    } catch (error) {
      if (error instanceof FunctionTimeoutError) {
        log(`${route.functionName}: ${error.message}`);
        return sendProblem(res, localProblems.unavailable('Forespørselen tok for lang tid. Prøv igjen senere.'));
      }
      log(`${route.functionName} threw: ${(error as Error)?.stack ?? String(error)}`);
      return sendProblem(res, localProblems.internal());
    }
    res.setHeader('apigw-requestid', event.requestContext.requestId);
    writeResult(res, result);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    server,
    setRoutes(next) {
      routes = next.map(compileRoute);
    },
    setThrottle(next) {
      throttle = next;
    },
    mount(next) {
      mounts.push(next);
    },
    setReady(next) {
      ready = next;
    },
    close(closeTimeoutMs = 10_000) {
      closing ??= new Promise<void>((resolveClose) => {
        ready = false;
        const timer = setTimeout(() => server.closeAllConnections(), closeTimeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolveClose();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * Reads the body while it streams in; past the limit the rest is drained and dropped (so the client gets
 * its 413 instead of a reset), and a client that keeps sending far beyond the limit is cut off.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  let tooLarge = Number.isFinite(declared) && declared > limit;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    if (tooLarge) {
      chunks.length = 0;
      if (size > limit * 4) {
        req.socket.destroy();
        return 'too-large';
      }
      continue;
    }
    chunks.push(chunk);
  }
  if (tooLarge) return 'too-large';
  if (size === 0) return undefined;
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

/** Content types API Gateway passes as text; anything else arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type === 'application/javascript' ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

export function toApiGatewayEvent(
  req: IncomingMessage,
  route: CompiledRoute,
  body: Buffer | undefined,
  server: { port: number; host: string },
): APIGatewayProxyEventV2 {
  const now = new Date();
  const [rawPath = '/', rawQueryString = ''] = (req.url ?? '/').split(/\?(.*)/s);
  const method = (req.method ?? 'GET').toUpperCase();

  // Header names lower-cased, repeated headers joined with commas; cookies go to `cookies`.
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      for (const cookie of value.split(';')) if (cookie.trim()) cookies.push(cookie.trim());
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(server.port);
  headers['x-forwarded-proto'] = 'http';
  const domainName = headers.host ?? `${server.host}:${server.port}`;

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(12).toString('base64'),
      routeKey: route.routeKey,
      stage: '$default',
      time: formatApiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;

  if (rawQueryString) {
    const query: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
    }
    event.queryStringParameters = query;
  }

  const match = route.pattern.exec(rawPath);
  if (match && route.names.length > 0) {
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      const value = match[i + 1] ?? '';
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        params[name] = value;
      }
    });
    event.pathParameters = params;
  }

  if (body !== undefined) {
    // A "text" body that is not UTF-8 goes on as bytes (base64), so the handler sees what was sent and can
    // refuse it, instead of a string with the bad bytes already replaced.
    if (isTextContentType(headers['content-type']) && isUtf8(body)) {
      event.body = body.toString('utf8');
    } else {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000` */
function formatApiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** Writes a handler's result the way API Gateway interprets payload format 2.0 responses. */
function writeResult(res: ServerResponse, result: unknown) {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : undefined;
  if (!structured) {
    // No statusCode: API Gateway answers 200 with the value as JSON.
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
    sendRaw(res, 200, { 'content-type': 'application/json', ...NOSNIFF }, Buffer.from(body));
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  sendRaw(res, structured.statusCode ?? 200, headers, body);
}

function sendRaw(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-length', body.length);
  res.writeHead(status);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...NOSNIFF,
  });
  res.end(body);
}

/** The same problem+json the handlers answer with (shared/http/problem.ts). */
export function sendProblem(res: ServerResponse, problem: HttpProblem, headers: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  writeResult(res, problemResponse(problem));
}

const localProblems = {
  methodNotAllowed: (detail: string) => problemOf('method-not-allowed', detail),
  internal: () => problemOf('internal', 'Noe gikk galt. Feilen er logget.'),
  unavailable: (detail: string) => problemOf('unavailable', detail),
};
