/**
 * The local hub and Fiks IO. A configuration whose Fiks IO targets point at `${SKJEMAFLYT_FIKS_IO_API_URL}` (the
 * Fiks IO demo, config-fiks-io/) gets the local stand-in started for it, like DynamoDB Local: RabbitMQ, the Fiks IO
 * service, a Maskinporten token endpoint and a simulated archive system. The hub's accounts, integrations and
 * Maskinporten clients are registered there as the configuration names them, with a test certificate made at start,
 * and the variables and secrets the configuration refers to are set for the hub's functions. Set
 * SKJEMAFLYT_FIKS_IO_API_URL (and the others) yourself to use a real Fiks IO (KS's test environment) instead.
 *
 * Whatever the endpoints, a hub with Fiks IO targets reads the archive's replies continuously, with the same code the
 * scheduled function runs on AWS (functions/fiks-io-receiver).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FiksIoTransport } from '../../shared/config/types.ts';
import { loadIdentity } from '../../shared/fiks-io/cms.ts';
import { createMaskinportenClient } from '../../shared/fiks-io/maskinporten.ts';
import { generateTestIdentity } from './fiks-io/certificates.ts';
import { type LocalFiksIo, type LocalFiksIoOptions, startLocalFiksIo } from './fiks-io/index.ts';
import { startTokenEndpoint, type TokenEndpoint } from './fiks-io/maskinporten.ts';
import { INSTALL_HINT, requireRabbitMq } from './fiks-io/rabbitmq.ts';

/** The variables a configuration uses to point at the local Fiks IO. */
export const LOCAL_FIKS_IO_VARIABLES = {
  apiUrl: 'SKJEMAFLYT_FIKS_IO_API_URL',
  amqpUrl: 'SKJEMAFLYT_FIKS_IO_AMQP_URL',
  tokenEndpoint: 'SKJEMAFLYT_MASKINPORTEN_TOKEN_URL',
  issuer: 'SKJEMAFLYT_MASKINPORTEN_ISSUER',
} as const;

export interface LocalFiksIoForHub {
  fiksIo: LocalFiksIo;
  maskinporten: TokenEndpoint;
  /** Endpoints and secrets, for the hub's environment */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the local Fiks IO if the configuration points at it (and nobody set its variables); else undefined. */
export async function startLocalFiksIoFor(
  configPath: string,
  options: { log?: (line: string) => void; archive?: Partial<LocalFiksIoOptions['archive']> } = {},
): Promise<LocalFiksIoForHub | undefined> {
  if (process.env[LOCAL_FIKS_IO_VARIABLES.apiUrl]) return undefined;
  const transports = (await rawFiksIoTransports(configPath)).filter(
    (t) => t.apiUrl.includes(`\${${LOCAL_FIKS_IO_VARIABLES.apiUrl}}`) && complete(t),
  );
  if (transports.length === 0) return undefined;
  try {
    requireRabbitMq();
  } catch {
    throw new Error(
      `The configuration's Fiks IO targets need the local Fiks IO, which runs on RabbitMQ. ${INSTALL_HINT}`,
    );
  }

  const env: Record<string, string> = {};
  const secret = (name: string, make: () => string) => {
    env[name] ??= process.env[name] || make();
    return env[name];
  };
  // The hub's accounts: a test certificate each (the one on the account is also the Maskinporten client's).
  const hubs = new Map<string, LocalFiksIoOptions['hub']>();
  const clients: Record<string, { certificatePem: string; scopes: string[] }> = {};
  for (const t of transports) {
    if (hubs.has(t.kontoId)) continue;
    const made = await generateTestIdentity(`Skjemaflyt ${t.kontoId.slice(0, 8)}`);
    const certificatePem = secret(t.certificate.env, () => made.certificatePem);
    const privateKeyPem = secret(t.privateKey.env, () => made.privateKeyPem);
    loadIdentity(certificatePem, privateKeyPem); // a wrong pair set by hand fails here, not at the first send
    secret(t.maskinporten.privateKey.env, () => privateKeyPem);
    const chain = t.maskinporten.certificateChain;
    if (!chain)
      throw new Error(`The local Maskinporten knows clients by certificate: set maskinporten.certificateChain`);
    clients[t.maskinporten.clientId] = { certificatePem: secret(chain.env, () => certificatePem), scopes: ['ks:fiks'] };
    hubs.set(t.kontoId, {
      kontoId: t.kontoId,
      certificatePem,
      integrasjonId: t.integration.id,
      integrasjonPassord: secret(t.integration.password.env, () => randomBytes(18).toString('base64url')),
    });
  }
  // One simulated archive system answers every target: by account id, or found by organisation number.
  const kontoIds = new Set(transports.flatMap((t) => ('kontoId' in t.archive ? [t.archive.kontoId] : [])));
  const orgnrs = new Set(
    transports.flatMap((t) => ('organisasjonsnummer' in t.archive ? [t.archive.organisasjonsnummer] : [])),
  );
  if (kontoIds.size > 1 || orgnrs.size > 1) {
    throw new Error(
      'The local Fiks IO simulates one archive system: give the Fiks IO targets the same archive account',
    );
  }
  const archiveIdentity = await generateTestIdentity('Simulert arkivsystem', 'Lokal kommune');
  clients['simulert-arkivsystem'] = { certificatePem: archiveIdentity.certificatePem, scopes: ['ks:fiks'] };
  const maskinporten = await startTokenEndpoint(clients);
  try {
    const [first, ...otherHubs] = [...hubs.values()] as [LocalFiksIoOptions['hub'], ...LocalFiksIoOptions['hub'][]];
    const fiksIo = await startLocalFiksIo({
      hub: first,
      otherHubs,
      archive: {
        kontoId: [...kontoIds][0] ?? randomUUID(),
        identity: archiveIdentity,
        integrasjonId: randomUUID(),
        integrasjonPassord: randomBytes(18).toString('base64url'),
        tokens: createMaskinportenClient({
          audience: maskinporten.issuer,
          tokenEndpoint: maskinporten.url,
          clientId: 'simulert-arkivsystem',
          privateKeyPem: archiveIdentity.privateKeyPem,
          certificateChainPem: archiveIdentity.certificatePem,
        }),
        ...([...orgnrs][0] ? { organisasjonsnummer: [...orgnrs][0] } : {}),
        ...options.archive,
      },
      verifyToken: async (token) =>
        String((await maskinporten.verify(token))?.scope ?? '')
          .split(' ')
          .includes('ks:fiks'),
    });
    Object.assign(env, {
      [LOCAL_FIKS_IO_VARIABLES.apiUrl]: fiksIo.apiBaseUrl,
      [LOCAL_FIKS_IO_VARIABLES.amqpUrl]: fiksIo.amqpUrl,
      [LOCAL_FIKS_IO_VARIABLES.tokenEndpoint]: maskinporten.url,
      [LOCAL_FIKS_IO_VARIABLES.issuer]: maskinporten.issuer,
    });
    options.log?.(`Local Fiks IO on ${fiksIo.apiBaseUrl} (RabbitMQ on ${fiksIo.amqpUrl}) with a simulated archive`);
    return {
      fiksIo,
      maskinporten,
      env,
      async stop() {
        await fiksIo.stop();
        await maskinporten.close();
      },
    };
  } catch (error) {
    await maskinporten.close();
    throw error;
  }
}

/** The Fiks IO transports of the configuration files as written (before `${VARIABLE}`s are expanded). */
async function rawFiksIoTransports(configPath: string): Promise<FiksIoTransport[]> {
  const files = (await stat(configPath)).isDirectory()
    ? (await readdir(configPath)).filter((f) => f.endsWith('.json')).map((f) => join(configPath, f))
    : [configPath];
  const transports: FiksIoTransport[] = [];
  for (const file of files) {
    try {
      const config = JSON.parse(await readFile(file, 'utf8')) as { targets?: { transport?: FiksIoTransport }[] };
      for (const target of config.targets ?? []) {
        if (target.transport?.type === 'fiks-io' && typeof target.transport.apiUrl === 'string') {
          transports.push(target.transport);
        }
      }
    } catch {
      // Not readable as a configuration: loading it reports why, naming the file and field.
    }
  }
  return transports;
}

/** Has what the stand-in needs; an incomplete one is left to the configuration check, which names the field. */
function complete(t: FiksIoTransport): boolean {
  const env = (ref: unknown) => typeof (ref as { env?: unknown } | undefined)?.env === 'string';
  return (
    typeof t.kontoId === 'string' &&
    typeof t.archive === 'object' &&
    t.archive !== null &&
    typeof t.integration?.id === 'string' &&
    env(t.integration.password) &&
    env(t.certificate) &&
    env(t.privateKey) &&
    typeof t.maskinporten?.clientId === 'string' &&
    env(t.maskinporten.privateKey)
  );
}
