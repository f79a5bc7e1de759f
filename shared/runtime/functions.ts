import type { DeliveryHandlerName, HttpHandlerName, RoutePlan } from '../config/plan.ts';

/** Every Lambda function of the hub: one folder in functions/ each. */
export type FunctionName = HttpHandlerName | DeliveryHandlerName | 'dead-letter' | ScheduledFunctionName;

/** Functions on a schedule rather than a route or a queue. */
export type ScheduledFunctionName = 'requeue' | 'retention' | 'fiks-io-receiver';

/** The queues a function sends to or reads: every target's delivery queue, or the status notifications' queue. */
export type QueueGroup = 'deliveries' | 'notifications';

/**
 * What a function needs from its environment, and so what it may touch. Declared once, here: the CDK stack
 * writes each function's environment and grants from it (infra/cdk/stack.ts), the local hub writes the same
 * environment (infra/local/hub.ts), and the handler reads back exactly this at cold start
 * (readFunctionEnv in ./env.ts). test/cdk/grants.test.ts holds every synthesized function to it.
 */
export interface FunctionNeeds {
  /** The submissions table; `none` for a function that reads only the configuration (the form types' contracts) */
  table: 'read' | 'readWrite' | 'none';
  /** Powertools idempotency records */
  idempotencyTable?: true;
  /** Originals and documents, under submissions/: writes, reads, or both (deliveries keep what they produced) */
  documents?: 'put' | 'get' | 'get-put';
  /** Lists and deletes originals and documents past their retention */
  deletesDocuments?: true;
  /** Queues it sends messages to (status changes through the notifying store send to `notifications`) */
  sendsTo?: readonly QueueGroup[];
  /** The queues that feed it, whose URLs its backoff needs to put a message off (visibility timeout) */
  backsOffOn?: QueueGroup;
  /** The deployment configuration (and the `${VARIABLE}`s its targets and webhooks use) */
  config?: true;
  /**
   * Verifies bearer tokens of this caller (the issuer its routes accept: SKJEMAFLYT_PROVIDER_* or
   * SKJEMAFLYT_ADMIN_*); a provider's token is matched to a provider by the configuration, so `provider` needs it
   */
  jwt?: RoutePlan['caller'];
  /**
   * Secrets it signs or authenticates with, read at run time (shared/secrets): its targets'
   * (`transport.auth.secret.env`), providers' webhooks', the console's client secret at the staff's identity provider,
   * or `search`: the deployment's FOLDER_KEY_SECRET, which keys the fødselsnummer search terms
   */
  secrets?: 'targets' | 'webhooks' | 'staff-sign-in' | 'search';
  /**
   * Reads the deployment's Fiks IO secrets (certificates, keys, integration password), only where it has a Fiks IO
   * target: on AWS from Secrets Manager at run time (SKJEMAFLYT_SECRETS_PREFIX, and a grant to read them; a PEM
   * does not fit in Lambda's 4 KB of environment), locally from variables the hub writes
   */
  fiksIoSecrets?: true;
  /**
   * The console's sessions (shared/auth/console-session.ts): `sign-in` runs the staff's sign-in with their identity
   * provider (issuer, client, its secret, scopes, the console's URL); `verify` accepts a session cookie (the
   * console's URL for the cookie's name and the Origin check)
   */
  consoleSession?: 'sign-in' | 'verify';
}

export const FUNCTION_NEEDS = {
  receive: {
    table: 'readWrite',
    documents: 'put',
    sendsTo: ['deliveries'],
    config: true,
    jwt: 'provider',
    // Fødselsnumre are indexed for search as keyed hashes (shared/secrets/search-secret.ts).
    secrets: 'search',
  },
  // The configuration names the providers, and so which provider a Maskinporten token is.
  'get-submission': { table: 'read', config: true, jwt: 'provider' },
  // The provider's form types and their data contracts: the configuration alone.
  'form-types': { table: 'none', config: true, jwt: 'provider' },
  admin: {
    table: 'readWrite',
    // Reads the stored form (masked fødselsnummer on request) and the payloads deliveries produced.
    documents: 'get',
    // A person's retry queues the delivery again, and the provider's webhook hears of it.
    sendsTo: ['deliveries', 'notifications'],
    config: true,
    jwt: 'admin',
    consoleSession: 'verify',
    // A search by fødselsnummer computes the same keyed hash receive indexed.
    secrets: 'search',
  },
  // The console's backend-for-frontend: staff sign in with their identity provider; sessions in the table.
  'console-session': { table: 'readWrite', config: true, consoleSession: 'sign-in', secrets: 'staff-sign-in' },
  'deliver-archive': {
    table: 'readWrite',
    idempotencyTable: true,
    documents: 'get-put',
    // Deliveries waiting for this one are queued when it is done.
    sendsTo: ['deliveries', 'notifications'],
    backsOffOn: 'deliveries',
    config: true,
    secrets: 'targets',
    // A Fiks IO archive: the send signs with the account's key and authenticates with Maskinporten.
    fiksIoSecrets: true,
  },
  'deliver-fagsystem': {
    table: 'readWrite',
    idempotencyTable: true,
    documents: 'get-put',
    sendsTo: ['deliveries', 'notifications'],
    backsOffOn: 'deliveries',
    config: true,
    secrets: 'targets',
  },
  'dead-letter': {
    table: 'readWrite',
    // A delivery that becomes FAILED is a status change the provider's webhook hears of.
    sendsTo: ['notifications'],
    config: true,
  },
  notify: {
    table: 'read',
    backsOffOn: 'notifications',
    config: true,
    secrets: 'webhooks',
  },
  requeue: { table: 'readWrite', sendsTo: ['deliveries'] },
  // The archive's Fiks IO replies move deliveries (the provider's webhook hears of it); a serverfeil queues the
  // next attempt. Only in deployments with a Fiks IO archive.
  'fiks-io-receiver': {
    table: 'readWrite',
    sendsTo: ['deliveries', 'notifications'],
    config: true,
    fiksIoSecrets: true,
  },
  // Leaves a note on each delivery whose documents it deleted (recordAudit): it writes to the table.
  retention: { table: 'readWrite', deletesDocuments: true, config: true },
} as const satisfies Record<FunctionName, FunctionNeeds>;

export type NeedsOf<N extends FunctionName> = (typeof FUNCTION_NEEDS)[N];

export function needsOf(name: FunctionName): FunctionNeeds {
  return FUNCTION_NEEDS[name];
}

export const FUNCTION_NAMES = Object.keys(FUNCTION_NEEDS) as FunctionName[];

/** The queue groups whose URLs the function gets: those it sends to and those it backs off on. */
export function queueGroupsOf(name: FunctionName): QueueGroup[] {
  const needs = needsOf(name);
  return [...new Set([...(needs.sendsTo ?? []), ...(needs.backsOffOn ? [needs.backsOffOn] : [])])];
}
