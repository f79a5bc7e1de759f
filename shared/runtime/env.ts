import type { AwsConfig } from '../aws/config.ts';
import { deliveryHandlerFor, NOTIFICATIONS, type RoutePlan } from '../config/plan.ts';
import type { DeploymentConfig } from '../config/types.ts';
import { FOLDER_KEY_SECRET_NAME } from '../mapping/folder-key.ts';
import { type FunctionName, type NeedsOf, needsOf, type QueueGroup, queueGroupsOf } from './functions.ts';

/**
 * A function's environment, both ways: `functionEnvironment` writes the variables a function declared in
 * FUNCTION_NEEDS (./functions.ts), for the CDK stack and the local hub alike, and `readFunctionEnv` reads them
 * back, once, at the function's cold start. The only module that reads process.env on behalf of shared code.
 */

/** The variables, by what they carry. */
export const VARIABLES = {
  table: 'SKJEMAFLYT_TABLE',
  idempotencyTable: 'SKJEMAFLYT_IDEMPOTENCY_TABLE',
  bucket: 'SKJEMAFLYT_BUCKET',
  /** JSON: queue URL by target id, the status notifications' queue under `notifications` */
  queueUrls: 'SKJEMAFLYT_QUEUE_URLS',
  /** File or folder with deployment configuration files */
  config: 'SKJEMAFLYT_CONFIG',
  dataDir: 'SKJEMAFLYT_DATA_DIR',
  s3ForcePathStyle: 'SKJEMAFLYT_S3_FORCE_PATH_STYLE',
  /** Where the secrets are in Secrets Manager: `<prefix><ENV>` (AWS only; read at run time, shared/secrets) */
  secretsPrefix: 'SKJEMAFLYT_SECRETS_PREFIX',
  /** The console's URL, `<origin>/console/`: the session cookie's name (Secure unless loopback http), Origin check */
  consoleUrl: 'SKJEMAFLYT_CONSOLE_URL',
  /** The staff's identity provider, for the console's sign-in */
  staffIssuer: 'SKJEMAFLYT_STAFF_ISSUER',
  staffClientId: 'SKJEMAFLYT_STAFF_CLIENT_ID',
  /** The name of the console's client secret (read at run time like every secret, shared/secrets) */
  staffClientSecretName: 'SKJEMAFLYT_STAFF_CLIENT_SECRET_NAME',
  /** Space-separated scopes asked for at sign-in */
  staffScopes: 'SKJEMAFLYT_STAFF_SCOPES',
  sessionMinutes: 'SKJEMAFLYT_SESSION_MINUTES',
} as const;

/**
 * Token verification (shared/auth/settings.ts reads them), per kind of caller: `SKJEMAFLYT_PROVIDER_*` for the
 * providers' Maskinporten tokens, `SKJEMAFLYT_ADMIN_*` for the archive staff's. A function gets only the issuer
 * of the callers its routes accept. A single public key (tests) is for admins only:
 * providers' tokens always come from a JWKS, Maskinporten's or the local one.
 */
const JWT_PREFIX = { provider: 'SKJEMAFLYT_PROVIDER', admin: 'SKJEMAFLYT_ADMIN' } as const;
const JWT_SETTINGS = {
  provider: ['ISSUER', 'AUDIENCE', 'JWKS_URL', 'ALGORITHMS'],
  // Staff's bearer tokens reach the admin function without a gateway authorizer (the console's routes take the
  // session cookie): the function checks their scopes itself.
  admin: ['ISSUER', 'AUDIENCE', 'JWKS_URL', 'PUBLIC_JWK', 'ALGORITHMS', 'SCOPES'],
} as const;
type JwtCaller = RoutePlan['caller'];
export type JwtVariableName = {
  [C in JwtCaller]: `${(typeof JWT_PREFIX)[C]}_${(typeof JWT_SETTINGS)[C][number]}`;
}[JwtCaller];
export type JwtVariables = Partial<Record<JwtVariableName, string>>;

/** The token variables of one kind of caller. */
export function jwtVariableNames(caller: JwtCaller): JwtVariableName[] {
  return JWT_SETTINGS[caller].map((setting) => `${JWT_PREFIX[caller]}_${setting}` as JwtVariableName);
}

/** The SDK's own names: emulator endpoints by service, and credentials. */
const AWS_VARIABLES = {
  region: 'AWS_REGION',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  s3: 'AWS_ENDPOINT_URL_S3',
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
} as const;

export type EnvSource = Readonly<Record<string, string | undefined>>;
/** A variable by name, from the environment read at cold start */
export type VariableLookup = (name: string) => string | undefined;

export interface ConfigEnv {
  path: string;
  dataDir: string;
  /** The `${VARIABLE}`s the configuration's targets and webhooks use */
  variable: VariableLookup;
}

/**
 * Where a function reads its secrets at run time (shared/secrets/store.ts): Secrets Manager under `prefix` (AWS),
 * else a file under `dataDir`/secrets or the variable the local hub wrote.
 */
export interface SecretsEnv {
  prefix?: string;
  dataDir?: string;
  variable: VariableLookup;
}
/** The Fiks IO secrets come from the same store. */
export type FiksIoSecretsEnv = SecretsEnv;

type Has<N extends FunctionName, K extends string, T> = NeedsOf<N> extends Record<K, unknown> ? T : unknown;

/** What a function reads at cold start: exactly what it declared in FUNCTION_NEEDS, typed. */
export type FunctionEnv<N extends FunctionName> = { name: N; aws: AwsConfig } & (NeedsOf<N>['table'] extends 'none'
  ? unknown
  : { tableName: string }) &
  Has<N, 'idempotencyTable', { idempotencyTableName: string }> &
  (NeedsOf<N> extends Record<'documents', unknown> | Record<'deletesDocuments', unknown>
    ? { bucketName: string }
    : unknown) &
  (NeedsOf<N> extends Record<'sendsTo', unknown> | Record<'backsOffOn', unknown>
    ? { queueUrls: Record<string, string> }
    : unknown) &
  Has<N, 'config', { config: ConfigEnv }> &
  Has<N, 'jwt', { jwt: JwtVariables }> &
  Has<N, 'secrets', { secrets: SecretsEnv }> &
  Has<N, 'fiksIoSecrets', { fiksIoSecrets: FiksIoSecretsEnv }> &
  (NeedsOf<N> extends { consoleSession: 'sign-in' }
    ? { consoleSession: ConsoleSessionEnv & { signIn: StaffSignInEnv } }
    : NeedsOf<N> extends { consoleSession: 'verify' }
      ? { consoleSession: ConsoleSessionEnv }
      : unknown);

/** Where the console is: the session cookie's name and the origin state-changing calls must come from. */
export interface ConsoleSessionEnv {
  consoleUrl: string;
}

/** The console's sign-in with the staff's identity provider. */
export interface StaffSignInEnv {
  issuer: string;
  clientId: string;
  /** The client secret's name: read at run time (shared/secrets), so a rotation needs no deploy */
  clientSecretName: string;
  scopes: string[];
  sessionMinutes: number;
}

function required(source: EnvSource, name: string): string {
  const value = source[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/**
 * The function's environment, read once (Lambda: process.env at cold start; the local hub: what it wrote for
 * the function). A variable the function declared but did not get is an error naming it.
 */
export function readFunctionEnv<N extends FunctionName>(name: N, source: EnvSource = process.env): FunctionEnv<N> {
  const snapshot: EnvSource = { ...source };
  const lookup: VariableLookup = (variable) => snapshot[variable];
  const needs = needsOf(name);
  const env: Record<string, unknown> = {
    name,
    aws: awsConfig(snapshot),
  };
  if (needs.table !== 'none') env.tableName = required(snapshot, VARIABLES.table);
  if (needs.idempotencyTable) env.idempotencyTableName = required(snapshot, VARIABLES.idempotencyTable);
  if (needs.documents || needs.deletesDocuments) env.bucketName = required(snapshot, VARIABLES.bucket);
  if (queueGroupsOf(name).length > 0) {
    env.queueUrls = JSON.parse(required(snapshot, VARIABLES.queueUrls)) as Record<string, string>;
  }
  if (needs.config) {
    env.config = {
      path: required(snapshot, VARIABLES.config),
      dataDir: snapshot[VARIABLES.dataDir] ?? '.skjemaflyt',
      variable: lookup,
    } satisfies ConfigEnv;
  }
  if (needs.jwt) {
    env.jwt = Object.fromEntries(jwtVariableNames(needs.jwt).flatMap((v) => (snapshot[v] ? [[v, snapshot[v]]] : [])));
  }
  if (needs.secrets || needs.fiksIoSecrets) {
    const prefix = snapshot[VARIABLES.secretsPrefix];
    const dataDir = snapshot[VARIABLES.dataDir];
    const secrets = { ...(prefix ? { prefix } : {}), ...(dataDir ? { dataDir } : {}), variable: lookup };
    if (needs.secrets) env.secrets = secrets satisfies SecretsEnv;
    if (needs.fiksIoSecrets) env.fiksIoSecrets = secrets satisfies FiksIoSecretsEnv;
  }
  if (needs.consoleSession) {
    const consoleSession: ConsoleSessionEnv & { signIn?: StaffSignInEnv } = {
      consoleUrl: required(snapshot, VARIABLES.consoleUrl),
    };
    if (needs.consoleSession === 'sign-in') {
      consoleSession.signIn = {
        issuer: required(snapshot, VARIABLES.staffIssuer),
        clientId: required(snapshot, VARIABLES.staffClientId),
        clientSecretName: required(snapshot, VARIABLES.staffClientSecretName),
        scopes: (snapshot[VARIABLES.staffScopes] ?? 'openid profile').split(' ').filter(Boolean),
        sessionMinutes: Number(snapshot[VARIABLES.sessionMinutes] ?? 480),
      };
    }
    env.consoleSession = consoleSession;
  }
  return env as FunctionEnv<N>;
}

/** On AWS the region alone; with emulator endpoints (local), the credentials written beside them too. */
function awsConfig(source: EnvSource): AwsConfig {
  const endpoints = Object.fromEntries(
    (['dynamodb', 'sqs', 's3'] as const).flatMap((service) => {
      const url = source[AWS_VARIABLES[service]];
      return url ? [[service, url]] : [];
    }),
  );
  const local = Object.keys(endpoints).length > 0;
  const accessKeyId = source[AWS_VARIABLES.accessKeyId];
  const secretAccessKey = source[AWS_VARIABLES.secretAccessKey];
  const region = source[AWS_VARIABLES.region];
  return {
    ...(region ? { region } : {}),
    ...(local ? { endpoints } : {}),
    ...(local && accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    ...(source[VARIABLES.s3ForcePathStyle] === 'true' ? { s3ForcePathStyle: true } : {}),
  };
}

/** A token issuer as the functions behind its routes see it. */
export interface JwtIssuerSettings {
  issuer?: string;
  audience?: string;
  jwksUrl?: string;
  /** One public key as JWK JSON (tests; admins only) */
  publicJwk?: string;
  /** Comma-separated, to narrow the accepted algorithms */
  algorithms?: string;
  /** A token needs one of these (`scp` or `scope`); admins only */
  scopes?: string | readonly string[];
}

/** One caller kind's issuer as variables: `SKJEMAFLYT_PROVIDER_*` or `SKJEMAFLYT_ADMIN_*`. */
export function jwtEnvironment(caller: JwtCaller, issuer: JwtIssuerSettings): JwtVariables {
  if (caller === 'provider' && issuer.publicJwk) {
    throw new Error("Providers' tokens are verified with their issuer's JWKS (jwksUrl), not a single public key");
  }
  const prefix = JWT_PREFIX[caller];
  const values: Record<string, string | undefined> = {
    [`${prefix}_ISSUER`]: issuer.issuer,
    [`${prefix}_AUDIENCE`]: issuer.audience,
    [`${prefix}_JWKS_URL`]: issuer.jwksUrl,
    [`${prefix}_PUBLIC_JWK`]: issuer.publicJwk,
    [`${prefix}_ALGORITHMS`]: issuer.algorithms,
    ...(caller === 'admin'
      ? { [`${prefix}_SCOPES`]: typeof issuer.scopes === 'string' ? issuer.scopes : issuer.scopes?.join(' ') }
      : {}),
  };
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value)) as JwtVariables;
}

/** What the hub has, for `functionEnvironment` to hand out to each function as it declared. */
export interface HubEnvironment {
  tableName: string;
  idempotencyTableName: string;
  bucketName: string;
  /** Queue URL by target id; the status notifications' queue under `notifications` (NOTIFICATIONS) */
  queueUrls: Record<string, string>;
  configPath: string;
  dataDir: string;
  /** The `${VARIABLE}`s the configuration uses, with their values (SKJEMAFLYT_DATA_DIR is dataDir) */
  configVariables: Record<string, string>;
  jwt: Record<RoutePlan['caller'], JwtIssuerSettings>;
  /** Whose secrets a function gets (targets by the function that delivers to them, webhooks by notify) */
  deployments: readonly DeploymentConfig[];
  /** A secret's value, written as a variable for the functions that use it (locally; never on AWS) */
  secret?: (variable: string) => string | undefined;
  /**
   * Where the functions read their secrets at run time (AWS: `skjemaflyt/<deployment>/` in Secrets Manager); without
   * it their values are variables from `secret`, as locally. Never a value in the environment on AWS: a rotated
   * secret would not reach the functions, and whoever may read a function's configuration could read it.
   */
  secretsPrefix?: string;
  /** The console's sign-in: the staff's identity provider (locally the local one; on AWS from `aws.auth.admins`) */
  staffSignIn: {
    consoleUrl: string;
    issuer: string;
    clientId: string;
    /** The client secret's name (on AWS in Secrets Manager under the prefix) and, locally, its value */
    clientSecret: { env: string; value?: string };
    scopes: string[];
    sessionMinutes: number;
  };
  /** Local emulators (on AWS, Lambda sets region and credentials itself) */
  emulators?: {
    region: string;
    endpoints: { dynamodb: string; sqs: string; s3: string };
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
}

/** Whether a queue (by its key in the queue URLs: a target id, or `notifications`) belongs to a group. */
export function queueInGroup(key: string, group: QueueGroup): boolean {
  return (group === 'notifications') === (key === NOTIFICATIONS);
}

/** The secret variables a function gets: its targets' (`transport.auth.secret.env`) or providers' webhooks'. */
export function secretVariablesFor(name: FunctionName, deployments: readonly DeploymentConfig[]): string[] {
  const kind = needsOf(name).secrets;
  const names = deployments.flatMap((deployment) =>
    kind === 'targets'
      ? [
          ...deployment.targets.flatMap((t) =>
            t.transport.type === 'http' && t.transport.auth && deliveryHandlerFor(t) === name
              ? [t.transport.auth.secret.env]
              : [],
          ),
          // The archive delivery pseudonymises folder keys with the deployment's secret (shared/mapping/folder-key.ts).
          ...(name === 'deliver-archive' && deployment.targets.some((t) => t.kind === 'archive')
            ? [FOLDER_KEY_SECRET_NAME]
            : []),
        ]
      : kind === 'staff-sign-in'
        ? deployment.aws?.auth.admins.clientSecret
          ? [deployment.aws.auth.admins.clientSecret.env]
          : []
        : kind === 'search'
          ? [FOLDER_KEY_SECRET_NAME]
          : kind === 'webhooks'
            ? deployment.providers.flatMap((p) =>
                p.webhook
                  ? [p.webhook.secret.env, ...(p.webhook.previousSecret ? [p.webhook.previousSecret.env] : [])]
                  : [],
              )
            : [],
  );
  return [...new Set(names)].sort();
}

/** The Fiks IO targets' secret variables (certificates, keys, integration passwords) of the deployments. */
export function fiksIoSecretVariables(deployments: readonly DeploymentConfig[]): string[] {
  const names = new Set<string>();
  for (const deployment of deployments) {
    for (const { transport: t } of deployment.targets) {
      if (t.type !== 'fiks-io') continue;
      const refs = [t.integration.password, t.certificate, t.privateKey, t.maskinporten.privateKey];
      if (t.maskinporten.certificateChain) refs.push(t.maskinporten.certificateChain);
      for (const ref of refs) names.add(ref.env);
    }
  }
  return [...names].sort();
}

/** The variables of one function: what it declared in FUNCTION_NEEDS, and nothing more. */
export function functionEnvironment(name: FunctionName, hub: HubEnvironment): Record<string, string> {
  const needs = needsOf(name);
  const env: Record<string, string> = needs.table === 'none' ? {} : { [VARIABLES.table]: hub.tableName };
  if (needs.idempotencyTable) env[VARIABLES.idempotencyTable] = hub.idempotencyTableName;
  if (needs.documents || needs.deletesDocuments) env[VARIABLES.bucket] = hub.bucketName;
  const groups = queueGroupsOf(name);
  if (groups.length > 0) {
    const urls = Object.fromEntries(
      Object.entries(hub.queueUrls).filter(([key]) => groups.some((group) => queueInGroup(key, group))),
    );
    env[VARIABLES.queueUrls] = JSON.stringify(urls);
  }
  if (needs.config) {
    Object.assign(env, hub.configVariables);
    env[VARIABLES.config] = hub.configPath;
    env[VARIABLES.dataDir] = hub.dataDir;
  }
  if (needs.jwt) Object.assign(env, jwtEnvironment(needs.jwt, hub.jwt[needs.jwt]));
  const secrets = [
    ...secretVariablesFor(name, hub.deployments),
    ...(needs.fiksIoSecrets ? fiksIoSecretVariables(hub.deployments) : []),
  ];
  if (secrets.length > 0 && hub.secretsPrefix) env[VARIABLES.secretsPrefix] = hub.secretsPrefix;
  else {
    for (const variable of secrets) {
      const value = hub.secret?.(variable);
      if (value !== undefined) env[variable] = value;
    }
  }
  if (needs.consoleSession) {
    const s = hub.staffSignIn;
    env[VARIABLES.consoleUrl] = s.consoleUrl;
    if (needs.consoleSession === 'sign-in') {
      env[VARIABLES.staffIssuer] = s.issuer;
      env[VARIABLES.staffClientId] = s.clientId;
      env[VARIABLES.staffClientSecretName] = s.clientSecret.env;
      // Locally the value is a variable like the other secrets'; on AWS it stays in Secrets Manager.
      if (!hub.secretsPrefix && s.clientSecret.value !== undefined) env[s.clientSecret.env] = s.clientSecret.value;
      env[VARIABLES.staffScopes] = s.scopes.join(' ');
      env[VARIABLES.sessionMinutes] = String(s.sessionMinutes);
    }
  }
  if (hub.emulators) {
    const { region, endpoints, credentials } = hub.emulators;
    env[AWS_VARIABLES.region] = region;
    env[AWS_VARIABLES.accessKeyId] = credentials.accessKeyId;
    env[AWS_VARIABLES.secretAccessKey] = credentials.secretAccessKey;
    env[AWS_VARIABLES.dynamodb] = endpoints.dynamodb;
    if (groups.length > 0) env[AWS_VARIABLES.sqs] = endpoints.sqs;
    if (needs.documents || needs.deletesDocuments) {
      env[AWS_VARIABLES.s3] = endpoints.s3;
      env[VARIABLES.s3ForcePathStyle] = 'true';
    }
  }
  return env;
}

/**
 * The machine's own environment, for the local tools and tests that load a configuration outside any function
 * (`npm run map`, synth): the functions use the variables written for them instead.
 */
export const hostVariable: VariableLookup = (name) => process.env[name];
