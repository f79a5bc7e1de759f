import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadOrCreateDevKeys } from '../../shared/auth/dev-keys.ts';
import { authSettingsFromEnv } from '../../shared/auth/settings.ts';
import { tokenVerifier } from '../../shared/auth/tokens.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { type DeliveryHandlerName, type HttpHandlerName, type HubPlan, planHub } from '../../shared/config/plan.ts';
import type { HubConfig } from '../../shared/config/types.ts';
import { callerKey, createThrottle } from '../../shared/http/throttle.ts';
import { redactText } from '../../shared/runtime/redact.ts';
import { throttleLimits } from '../../shared/submission/limits.ts';
import { createLocalClients, LOCAL_CREDENTIALS, type LocalClients, type LocalEndpoints } from './clients.ts';
import { consoleMount } from './console-files.ts';
import { DEFAULT_REGION, type Emulators, startEmulators } from './emulators.ts';
import type { LocalFiksIo } from './fiks-io/index.ts';
import {
  type HttpHandler,
  type LocalHttpServer,
  type StaticMount,
  startHttpServer,
  type ThrottleRequest,
} from './http-server.ts';
import { type LocalFiksIoForHub, startFiksIoReceiving, startLocalFiksIoFor } from './local-fiks-io.ts';
import { type QueueHandler, type QueuePoller, startQueuePoller } from './poller.ts';
import { type ProvisionResult, provisionHub } from './provision.ts';

/**
 * The whole hub on one machine: emulators, resources, handlers behind a local API Gateway, queue pollers.
 *
 * The handlers read their settings from process.env (as on Lambda) and cache SDK clients per process, so
 * there is one hub per process at a time. Tests that need several hubs start them one after another.
 */

export const TABLE_NAME = 'skjemaflyt';
export const BUCKET_NAME = 'skjemaflyt-documents';

export type HandlerName = HttpHandlerName | DeliveryHandlerName | 'dead-letter';

export interface StartHubOptions {
  /** Default: PORT or 8080; 0 = a free port */
  port?: number;
  host?: string;
  /** Default: SKJEMAFLYT_DATA_DIR or ./.skjemaflyt */
  dataDir?: string;
  /** File or folder; default: SKJEMAFLYT_CONFIG or the demo configuration in config/ */
  configPath?: string;
  log?: (line: string) => void;
  /** Replace handlers (tests); the rest are imported from functions/<name>/handler.ts */
  handlers?: Partial<Record<HandlerName, HttpHandler | QueueHandler>>;
  /** Extra non-Lambda routes, e.g. the console's static files under /console/ */
  mounts?: StaticMount[];
  /** Long-poll wait of the pollers (default 1 s) */
  waitTimeSeconds?: number;
  region?: string;
  /** How often the retention rule runs, like a schedule on AWS (default hourly; 0 = never) */
  retentionIntervalMs?: number;
}

export interface Hub {
  url: string;
  port: number;
  dataDir: string;
  configPath: string;
  archiveDir: string;
  fagsystemDir: string;
  config: HubConfig;
  plan: HubPlan;
  resources: ProvisionResult;
  endpoints: LocalEndpoints;
  /** The runner's own SDK clients (pointed at the emulators) */
  clients: LocalClients;
  pollers: QueuePoller[];
  /** Runs the retention function once, as its schedule would */
  runRetention(): Promise<unknown>;
  /** The local Fiks IO and its simulated archive, when the configuration sends to it */
  fiksIo?: LocalFiksIo;
  stop(): Promise<void>;
}

export async function startHub(options: StartHubOptions = {}): Promise<Hub> {
  // The runner's own lines carry error messages: no fødselsnummer or e-mail address gets through.
  const sink = options.log ?? (() => {});
  const log = (line: string) => sink(redactText(line));
  const dataDir = resolve(options.dataDir ?? process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt');
  const configPath = resolve(options.configPath ?? process.env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH);
  const region = options.region ?? DEFAULT_REGION;
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 8080);
  await mkdir(dataDir, { recursive: true });

  const env = new EnvScope();
  let http: LocalHttpServer | undefined;
  let emulators: Emulators | undefined;
  let clients: LocalClients | undefined;
  const pollers: QueuePoller[] = [];
  let retentionTimer: NodeJS.Timeout | undefined;
  let requeueTimer: NodeJS.Timeout | undefined;
  let fiksIo: LocalFiksIoForHub | undefined;
  let receiving: { stop(): Promise<void> } | undefined;

  const shutdown = async () => {
    clearInterval(retentionTimer);
    clearInterval(requeueTimer);
    await http?.close();
    await Promise.all(pollers.map((p) => p.stop()));
    await receiving?.stop();
    await fiksIo?.stop();
    clients?.destroy();
    await emulators?.stop();
    env.restore();
  };

  try {
    // Listen first: the port is taken (or fails) at once, and /health says 503 until everything is up.
    http = await startHttpServer({
      port,
      region,
      ...(options.host ? { host: options.host } : {}),
      // The archive staff's console at /console/, like the static files beside the API on AWS.
      mounts: [consoleMount(), ...(options.mounts ?? [])],
      log,
    });

    // The configuration expands ${SKJEMAFLYT_DATA_DIR}, and the handlers read the same variables.
    env.set({ SKJEMAFLYT_DATA_DIR: dataDir, SKJEMAFLYT_CONFIG: configPath });
    // Its endpoints and the hub's Fiks IO secrets are variables the configuration names: set before it is read.
    fiksIo = await startLocalFiksIoFor(configPath, { log });
    if (fiksIo) env.set(fiksIo.env);
    const config = await loadHubConfig(configPath);
    const plan = planHub(config, { tableName: TABLE_NAME, bucketName: BUCKET_NAME });

    emulators = await startEmulators({ dataDir, region, log });
    clients = createLocalClients(emulators);
    const resources = await provisionHub(plan, clients, { region, sqsEndpoint: emulators.sqsEndpoint });
    const keys = await loadOrCreateDevKeys(dataDir);

    env.set({
      SKJEMAFLYT_TABLE: resources.tableName,
      SKJEMAFLYT_IDEMPOTENCY_TABLE: resources.idempotencyTableName,
      SKJEMAFLYT_BUCKET: resources.bucketName,
      SKJEMAFLYT_QUEUE_URLS: JSON.stringify(resources.queueUrls),
      SKJEMAFLYT_JWT_PUBLIC_JWK: JSON.stringify(keys.publicJwk),
      SKJEMAFLYT_S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoDbEndpoint,
      AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
      AWS_ENDPOINT_URL_S3: emulators.s3Endpoint,
    });

    // Only now import the handlers, so that whatever they read at import time sees the environment above.
    const handlerNames = new Set<HandlerName>([
      ...plan.routes.map((r) => r.handler),
      ...plan.queues.map((q) => q.handler),
      ...(plan.queues.length > 0 ? (['dead-letter'] as const) : []),
    ]);
    const handlers = new Map<HandlerName, unknown>();
    for (const name of handlerNames) handlers.set(name, options.handlers?.[name] ?? (await importHandler(name)));

    const sqs = clients.sqs;
    for (const queue of resources.queues) {
      const { settings, handler } = queue.plan;
      const common = { sqs, region, log, waitTimeSeconds: options.waitTimeSeconds ?? 1 };
      pollers.push(
        startQueuePoller({
          ...common,
          queueUrl: queue.queueUrl,
          queueArn: queue.queueArn,
          functionName: handler,
          handler: handlers.get(handler) as QueueHandler,
          batchSize: settings.batchSize,
          maxConcurrency: settings.maxConcurrency,
          ...(settings.ratePerSecond ? { ratePerSecond: settings.ratePerSecond } : {}),
          functionTimeoutMs: settings.visibilityTimeoutSeconds * 1000,
        }),
        startQueuePoller({
          ...common,
          queueUrl: queue.deadLetterQueueUrl,
          queueArn: queue.deadLetterQueueArn,
          functionName: 'dead-letter',
          handler: handlers.get('dead-letter') as QueueHandler,
          batchSize: 10,
          maxConcurrency: 1,
          functionTimeoutMs: settings.visibilityTimeoutSeconds * 1000,
        }),
      );
    }

    // Throttling per provider, as API Gateway's (rate and burst from the limits of the provider's deployments).
    const throttle = createThrottle((key) => throttleLimits(config, key));
    const { source, settings } = authSettingsFromEnv();
    const verify = tokenVerifier(source, settings);
    http.setThrottle(async (request: ThrottleRequest) =>
      throttle.take(await callerKey(request.headers.authorization, request.sourceIp, verify)),
    );

    // The archive's replies over Fiks IO, read continuously (on AWS: a function scheduled every minute).
    receiving = await startFiksIoReceiving(config);

    const retention = (await importHandler('retention')) as () => Promise<unknown>;
    const runRetention = () => retention();
    if (options.retentionIntervalMs !== 0) {
      retentionTimer = setInterval(() => {
        runRetention().catch((error) => log(`retention: ${(error as Error)?.name ?? 'error'}`));
      }, options.retentionIntervalMs ?? 3600_000);
      retentionTimer.unref();
    }

    // The requeue sweep, as its schedule would run it on AWS: once at start (after a crash) and every minute.
    const requeue = (await importHandler('requeue')) as () => Promise<unknown>;
    const runRequeue = () => requeue().catch((error) => log(`requeue: ${(error as Error)?.name ?? 'error'}`));
    await runRequeue();
    requeueTimer = setInterval(runRequeue, 60_000);
    requeueTimer.unref();

    http.setRoutes(
      plan.routes.map((route) => ({
        method: route.method,
        path: route.path,
        functionName: route.handler,
        handler: handlers.get(route.handler) as HttpHandler,
      })),
    );
    http.setReady(true);
    log(`Skjemaflyt is ready on ${http.url}`);

    let stopping: Promise<void> | undefined;
    return {
      url: http.url,
      port: http.port,
      dataDir,
      configPath,
      archiveDir: fileDropDir(config, 'archive') ?? join(dataDir, 'archive'),
      fagsystemDir: fileDropDir(config, 'fagsystem') ?? join(dataDir, 'fagsystem'),
      config,
      plan,
      resources,
      endpoints: emulators,
      clients,
      pollers,
      runRetention,
      ...(fiksIo ? { fiksIo: fiksIo.fiksIo } : {}),
      stop() {
        stopping ??= shutdown();
        return stopping;
      },
    };
  } catch (error) {
    await shutdown().catch(() => {});
    throw error;
  }
}

async function importHandler(name: HandlerName | 'retention' | 'requeue'): Promise<unknown> {
  const file = resolve(import.meta.dirname, '../../functions', name, 'handler.ts');
  const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`functions/${name}/handler.ts does not export a handler`);
  return module.handler;
}

/** Where the first file-drop target of that kind writes (demo configuration: <dataDir>/archive, /fagsystem). */
function fileDropDir(config: HubConfig, kind: 'archive' | 'fagsystem'): string | undefined {
  for (const deployment of config.deployments) {
    for (const target of deployment.targets) {
      if (target.kind === kind && target.transport.type === 'file-drop') return target.transport.dir;
    }
  }
  return undefined;
}

/** Sets process.env variables and puts the previous values back on restore. */
class EnvScope {
  private readonly saved = new Map<string, string | undefined>();

  set(values: Record<string, string | undefined>) {
    for (const [name, value] of Object.entries(values)) {
      if (!this.saved.has(name)) this.saved.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }

  restore() {
    for (const [name, value] of this.saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.saved.clear();
  }
}
