import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type Hub, type StartHubOptions, startHub } from '../../infra/local/hub.ts';
import { providerTokens, readMaskinportenState } from '../../infra/local/maskinporten-clients.ts';
import { staffAccessToken } from '../../infra/local/staff-sign-in.ts';
import { staffAccessOf } from '../../shared/auth/staff.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';

export const SAMPLES_DIR = resolve(import.meta.dirname, '../fixtures/samples');
export const SAMPLE_NAMES = [
  'tt-kort-soknad',
  'melding-vei-gatelys',
  'soknad-tiltak-uten-ansvarsrett',
  'a-skjema-tilsetting',
];
export type Sample = Record<string, unknown> & { submissionId: string; formType: string; municipality: string };

export async function sample(name: string): Promise<Sample> {
  return JSON.parse(await readFile(join(SAMPLES_DIR, `${name}.json`), 'utf8'));
}

export async function newDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'skjemaflyt-test-'));
}

export type Who = { provider: string; municipality?: string } | { admin: string[]; name?: string };

/**
 * Tokens for a running hub, as its callers get them: a provider's from the hub's local Maskinporten (JWT-bearer
 * grant with the provider's client key; as the organisation that submits for `municipality`, when given), an
 * admin's from the local identity provider (authorization code with PKCE, signing in as a person).
 */
export async function hubTokens(hub: Hub) {
  const provider = providerTokens({
    dataDir: hub.dataDir,
    registry: buildRegistry(hub.config),
    maskinporten: hub.maskinporten,
  });
  const staff = staffTokens(hub);
  return (who: Who): Promise<string> =>
    'provider' in who ? provider(who.provider, who.municipality) : staff(who.admin, who.name);
}

/**
 * An archive-staff bearer token with retry/resolve rights in exactly these municipalities: a person added to the
 * local identity provider for the test, in the groups the configuration maps to each municipality (one group per
 * municipality where the configuration has one), signed in through the login form. Kept while it is valid.
 */
export function staffTokens(hub: Hub) {
  const access = staffAccessOf(hub.config.deployments);
  const cache = new Map<string, { token: string; until: number }>();
  return async (municipalities: string[], name?: string): Promise<string> => {
    const groups = municipalities.map((m) => {
      const acting = access.rules.filter(
        (r) => r.rule.rights.includes('retry-resolve') && r.rule.municipalities.includes(m),
      );
      const rule = acting.find((r) => r.rule.municipalities.length === 1) ?? acting[0];
      if (!rule) throw new Error(`The configuration has no staff group with retry-resolve for municipality ${m}`);
      return rule.rule.group;
    });
    const username = `test-${[...municipalities].sort().join('-')}${name ? `-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` : ''}`;
    const cached = cache.get(username);
    if (cached && cached.until > Date.now()) return cached.token;
    hub.identityProvider.addStaff({
      username,
      password: 'demo',
      subject: username,
      name: name ?? `Testansatt ${municipalities.join(', ')}`,
      groups: [...new Set(groups)],
    });
    const token = await staffAccessToken(hub.identityProvider.issuer, username);
    cache.set(username, { token, until: Date.now() + 5 * 60_000 });
    return token;
  };
}

/** The municipality a submission body is for, when it says. */
const municipalityOf = (body: unknown): string | undefined =>
  typeof body === 'object' && body !== null && typeof (body as { municipality?: unknown }).municipality === 'string'
    ? (body as { municipality: string }).municipality
    : undefined;

/** A real hub (same as `npm start`) on a free port, with its own data dir, plus helpers to talk to it. */
export async function testHub(dataDir?: string, options: Partial<StartHubOptions> = {}) {
  const dir = dataDir ?? (await newDataDir());
  // The runner's own lines go where the functions' logs go: kept by test/support/captured-output.ts.
  const log = (line: string) => process.stdout.write(`[hub] ${line}\n`);
  const hub = await startHub({ port: 0, dataDir: dir, log, ...options });
  const token = await hubTokens(hub);

  const post = async (body: unknown, provider = 'eskjema', headers: Record<string, string> = {}) => {
    const municipality = municipalityOf(body);
    const response = await fetch(`${hub.url}/v1/submissions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token({ provider, ...(municipality ? { municipality } : {}) })}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as any,
    };
  };

  const status = async (trackingId: string, provider = 'eskjema') => {
    const response = await fetch(`${hub.url}/v1/submissions/${trackingId}`, {
      headers: { authorization: `Bearer ${await token({ provider })}` },
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  /**
   * The deliveries as the municipality's staff see them, through the admin API (history with who and why, the
   * targets' own words): `{ body: { deliveries: [...] } }` like a status.
   */
  const staffView = async (trackingId: string, municipalities = ['3101', '5037', '5038']) => {
    const { body } = await status(trackingId);
    const deliveries = [];
    for (const d of body.deliveries ?? []) {
      const response = await fetch(`${hub.url}/v1/admin/deliveries/${encodeURIComponent(d.id)}`, {
        headers: { authorization: `Bearer ${await token({ admin: municipalities })}` },
      });
      deliveries.push(((await response.json()) as any).delivery);
    }
    return { status: 200, body: { ...body, deliveries } };
  };

  /** Polls the status until `done` holds or the time is up; returns the last status seen. */
  const waitFor = async (trackingId: string, provider: string, done: (s: any) => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await status(trackingId, provider);
      if (done(body) || Date.now() > deadline) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** An admin call: method, path under /v1/admin, optional JSON body; as the admin of `municipalities`. */
  const admin = async (method: string, path: string, body?: unknown, municipalities = ['3101', '5037', '5038']) => {
    const response = await fetch(`${hub.url}/v1/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token({ admin: municipalities })}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  /**
   * Waits until every delivery queue and dead-letter queue is empty (nothing ready, in flight or delayed): then
   * whatever was queued so far has been handled. A count, not a pause: it holds however slow the machine is.
   */
  const drained = async (maxChecks = 600) => {
    const urls = [...Object.values(hub.resources.queueUrls), ...Object.values(hub.resources.deadLetterQueueUrls)];
    const depth = async (url: string) => {
      const { Attributes = {} } = await hub.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0);
    };
    for (let check = 0; check < maxChecks; check++) {
      if ((await Promise.all(urls.map(depth))).every((d) => d === 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the queues did not empty after ${maxChecks} checks`);
  };

  return { hub, dataDir: dir, token, post, status, staffView, waitFor, admin, drained };
}

export const providerFor = (formType: string) => (formType === 'a-skjema-tilsetting' ? 'halden-intranett' : 'eskjema');

/**
 * Provider tokens for a hub running as its own process (`npm start`), from the local Maskinporten it started.
 * `env`: the variables the hub was started with, which its configuration may name (`${FAKE_ARCHIVE_URL}`).
 */
export async function processTokens(dataDir: string, env: Record<string, string> = {}) {
  const maskinporten = await readMaskinportenState(dataDir);
  if (!maskinporten) throw new Error(`No local Maskinporten in ${dataDir}: is the hub running?`);
  const config = await loadHubConfig(env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH, (name) =>
    name in env ? env[name] : process.env[name],
  );
  return providerTokens({ dataDir, registry: buildRegistry(config), maskinporten });
}
