import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FiksIoReceiverHandler } from '../../functions/fiks-io-receiver/handler.ts';
import { authSettingsFromEnv } from '../../shared/auth/settings.ts';
import { principalResolver } from '../../shared/auth/tokens.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { type DeliveryHandlerName, type HttpHandlerName, type HubPlan, planHub } from '../../shared/config/plan.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import type { HubConfig } from '../../shared/config/types.ts';
import { callerKey, createThrottle } from '../../shared/http/throttle.ts';
import { functionEnvironment, type HubEnvironment, readFunctionEnv } from '../../shared/runtime/env.ts';
import type { FunctionName } from '../../shared/runtime/functions.ts';
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
import { type LocalFiksIoForHub, startLocalFiksIoFor } from './local-fiks-io.ts';
import { type LocalMaskinporten, type LocalMaskinportenClient, startLocalMaskinporten } from './maskinporten.ts';
import {
  LOCAL_PROVIDER_AUDIENCE,
  type LocalMaskinportenState,
  loadOrCreateMaskinportenKey,
  localClients,
  mergeClients,
  readMaskinportenState,
  withKeys,
  writeMaskinportenState,
} from './maskinporten-clients.ts';
import { type QueueHandler, type QueuePoller, startQueuePoller } from './poller.ts';
import { type ProvisionResult, provisionHub } from './provision.ts';
import { type LocalStaffSignIn, startStaffIdentityProvider } from './staff-identity.ts';

/**
 * The whole hub on one machine: emulators, resources, handlers behind a local API Gateway, queue pollers.
 *
 * Each function gets the environment it declared (shared/runtime/functions.ts), written by the same code the CDK
 * stack uses (functionEnvironment), and its handler is built from it with its own SDK clients pointed at this
 * hub's emulators. The hub writes nothing to process.env, so several hubs can run in one process.
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
  /** Replace handlers (tests); the rest are built by functions/<name>/handler.ts's createHandler */
  handlers?: Partial<Record<HandlerName, HttpHandler | QueueHandler>>;
  /** Wraps every handler the hub runs, replaced or built (measurements) */
  wrapHandler?: (name: FunctionName, handler: unknown) => unknown;
  /** Extra non-Lambda routes, e.g. the console's static files under /console/ */
  mounts?: StaticMount[];
  /** Long-poll wait of the pollers (default 1 s) */
  waitTimeSeconds?: number;
  region?: string;
  /** How often the retention rule runs, like a schedule on AWS (default hourly; 0 = never) */
  retentionIntervalMs?: number;
  /**
   * The local Maskinporten's port: default SKJEMAFLYT_MASKINPORTEN_PORT, else the one it had last time in this data
   * dir (so tokens outlive a restart), else a free one.
   */
  maskinportenPort?: number;
  /** Clients the local Maskinporten knows besides the configured providers' (tests: other organisations) */
  maskinportenClients?: Omit<LocalMaskinportenClient, 'jwks'>[];
  /** Lifetime of the local Maskinporten's access tokens (default 600 s; the bench's runs take longer) */
  maskinportenTokenTtlSeconds?: number;
  /**
   * The local identity provider's port for archive staff: default SKJEMAFLYT_IDP_PORT, else last time's in this data
   * dir, else a free one
   */
  identityProviderPort?: number;
  /** A console session's lifetime (default 480 minutes) */
  sessionMinutes?: number;
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
  /** The local Maskinporten providers get their tokens from (also in `<dataDir>/maskinporten.json`) */
  maskinporten: LocalMaskinportenState & { tokenEndpoint: string };
  /** The local identity provider archive staff sign in with (also in `<dataDir>/identity-provider.json`) */
  identityProvider: LocalStaffSignIn;
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

  let http: LocalHttpServer | undefined;
  let emulators: Emulators | undefined;
  let clients: LocalClients | undefined;
  let maskinporten: LocalMaskinporten | undefined;
  let identityProvider: LocalStaffSignIn | undefined;
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
    await maskinporten?.close();
    await identityProvider?.close();
    await emulators?.stop();
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

    // A configuration pointing at the local Fiks IO gets it started first: its endpoints and the hub's Fiks IO
    // secrets are variables the configuration names, given to the functions like those from this machine.
    fiksIo = await startLocalFiksIoFor(configPath, { log });
    const fromHost = (name: string) => fiksIo?.env[name] ?? process.env[name];
    // The configuration expands ${SKJEMAFLYT_DATA_DIR} to this hub's data dir, and other `${VARIABLE}`s from this
    // machine's environment; the functions get the same values in theirs.
    const configVariables: Record<string, string> = {};
    const config = await loadHubConfig(configPath, (name) => {
      if (name === 'SKJEMAFLYT_DATA_DIR') return dataDir;
      const value = fromHost(name);
      if (value !== undefined) configVariables[name] = value;
      return value;
    });
    const plan = planHub(config, { tableName: TABLE_NAME, bucketName: BUCKET_NAME });
    const registry = buildRegistry(config);

    // Providers get their tokens from a local Maskinporten, the way they get them from Maskinporten.
    maskinporten = await startMaskinporten(dataDir, registry.providerIdentities, options);
    const providerTokens = { issuer: maskinporten.issuer, audience: LOCAL_PROVIDER_AUDIENCE };
    await writeMaskinportenState(dataDir, providerTokens);
    log(`Local Maskinporten on ${maskinporten.issuer}`);

    emulators = await startEmulators({ dataDir, region, log });
    clients = createLocalClients(emulators);
    const resources = await provisionHub(plan, clients, { region, sqsEndpoint: emulators.sqsEndpoint });
    // Archive staff sign in at a local identity provider, as at their municipality's Entra ID on AWS.
    identityProvider = await startStaffIdentityProvider(dataDir, http.url, {
      ...(options.identityProviderPort !== undefined ? { port: options.identityProviderPort } : {}),
    });
    log(`Local identity provider for staff on ${identityProvider.issuer}`);

    const resourcesForFunctions: HubEnvironment = {
      tableName: resources.tableName,
      idempotencyTableName: resources.idempotencyTableName,
      bucketName: resources.bucketName,
      queueUrls: resources.queueUrls,
      configPath,
      dataDir,
      configVariables,
      jwt: {
        // Providers' tokens come from the local Maskinporten, as from Maskinporten on AWS.
        provider: {
          issuer: providerTokens.issuer,
          audience: providerTokens.audience,
          jwksUrl: maskinporten.jwksUri,
          algorithms: 'RS256',
        },
        // Staff's bearer tokens for the admin API come from the local identity provider (npm run token -- --admin …).
        admin: identityProvider.adminTokens,
      },
      staffSignIn: { ...identityProvider.signIn, sessionMinutes: options.sessionMinutes ?? 480 },
      deployments: config.deployments,
      // Targets' and webhooks' secrets from this machine's environment, as Secrets Manager holds them on AWS.
      secret: fromHost,
      emulators: {
        region,
        endpoints: { dynamodb: emulators.dynamoDbEndpoint, sqs: emulators.sqsEndpoint, s3: emulators.s3Endpoint },
        credentials: LOCAL_CREDENTIALS,
      },
    };
    const build = async (name: FunctionName): Promise<unknown> => {
      const environment = functionEnvironment(name, resourcesForFunctions);
      const replaced = options.handlers?.[name as HandlerName];
      const handler = replaced ?? (await handlerFactory(name))(readFunctionEnv(name, environment));
      return options.wrapHandler ? options.wrapHandler(name, handler) : handler;
    };

    const handlerNames = new Set<HandlerName>([
      ...plan.routes.map((r) => r.handler),
      ...plan.queues.map((q) => q.handler),
      ...(plan.queues.length > 0 ? (['dead-letter'] as const) : []),
    ]);
    const handlers = new Map<HandlerName, unknown>();
    for (const name of handlerNames) handlers.set(name, await build(name));

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
    const verify = principalResolver(
      authSettingsFromEnv(functionEnvironment('receive', resourcesForFunctions)),
      () => registry.providerIdentities,
    );
    http.setThrottle(async (request: ThrottleRequest) =>
      throttle.take(await callerKey(request.headers.authorization, request.sourceIp, verify)),
    );

    // The archive's replies over Fiks IO, read continuously (on AWS: a function scheduled every minute).
    if (hasFiksIo(config)) {
      const receiver = (await build('fiks-io-receiver')) as FiksIoReceiverHandler;
      receiving = await receiver.startReceiving();
    }

    const retention = (await build('retention')) as () => Promise<unknown>;
    const runRetention = () => retention();
    if (options.retentionIntervalMs !== 0) {
      retentionTimer = setInterval(() => {
        runRetention().catch((error) => log(`retention: ${(error as Error)?.name ?? 'error'}`));
      }, options.retentionIntervalMs ?? 3600_000);
      retentionTimer.unref();
    }

    // The requeue sweep, as its schedule would run it on AWS: once at start (after a crash) and every minute.
    const requeue = (await build('requeue')) as () => Promise<unknown>;
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
      maskinporten: { ...providerTokens, tokenEndpoint: maskinporten.tokenEndpoint },
      identityProvider,
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

async function startMaskinporten(
  dataDir: string,
  identities: Parameters<typeof localClients>[0],
  options: StartHubOptions,
): Promise<LocalMaskinporten> {
  const clients = await withKeys(dataDir, mergeClients(localClients(identities), options.maskinportenClients ?? []));
  const signingKey = await loadOrCreateMaskinportenKey(dataDir);
  const accessTokenTtlSeconds = options.maskinportenTokenTtlSeconds;
  const settings = { signingKey, clients, ...(accessTokenTtlSeconds ? { accessTokenTtlSeconds } : {}) };
  const chosen = options.maskinportenPort ?? numberOrUndefined(process.env.SKJEMAFLYT_MASKINPORTEN_PORT);
  const previous = Number(new URL((await readMaskinportenState(dataDir))?.issuer ?? 'http://127.0.0.1:0/').port || 0);
  try {
    return await startLocalMaskinporten({ ...settings, port: chosen ?? previous });
  } catch (error) {
    // Last time's port is taken now: another one (tokens from before the restart are then refused).
    if (chosen !== undefined || previous === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startLocalMaskinporten({ ...settings, port: 0 });
  }
}

function numberOrUndefined(value: string | undefined): number | undefined {
  return value ? Number(value) : undefined;
}

/** A function's `createHandler(env)`: builds its handler from the environment it declared. */
async function handlerFactory(name: FunctionName): Promise<(env: unknown) => unknown> {
  const file = resolve(import.meta.dirname, '../../functions', name, 'handler.ts');
  const module = (await import(pathToFileURL(file).href)) as { createHandler?: unknown };
  if (typeof module.createHandler !== 'function') {
    throw new Error(`functions/${name}/handler.ts does not export createHandler`);
  }
  return module.createHandler as (env: unknown) => unknown;
}

/** Whether an archive answers over Fiks IO: then the hub reads the replies, as the scheduled function on AWS. */
function hasFiksIo(config: HubConfig): boolean {
  return config.deployments.some((d) => d.targets.some((t) => t.transport.type === 'fiks-io'));
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
