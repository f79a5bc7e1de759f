/**
 * The environment every function reads. On AWS the CDK stack sets these; locally the runner does.
 * AWS endpoints for local emulators come from the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables.
 */
export interface RuntimeEnv {
  tableName: string;
  /** Powertools idempotency records (key `id`, TTL on `expiration`) */
  idempotencyTableName: string;
  bucketName: string;
  /** targetId → queue URL */
  queueUrls: Record<string, string>;
  /** File or folder with deployment configuration files */
  configPath: string;
  dataDir: string;
  s3ForcePathStyle: boolean;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

export function readEnv(): RuntimeEnv {
  return {
    tableName: required('SKJEMAFLYT_TABLE'),
    idempotencyTableName: required('SKJEMAFLYT_IDEMPOTENCY_TABLE'),
    bucketName: required('SKJEMAFLYT_BUCKET'),
    queueUrls: JSON.parse(process.env.SKJEMAFLYT_QUEUE_URLS ?? '{}') as Record<string, string>,
    configPath: required('SKJEMAFLYT_CONFIG'),
    dataDir: process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt',
    s3ForcePathStyle: process.env.SKJEMAFLYT_S3_FORCE_PATH_STYLE === 'true',
  };
}
