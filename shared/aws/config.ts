/**
 * How a function's AWS clients are made, from its environment (shared/runtime/env.ts). On AWS only the region:
 * credentials come from the SDK's own chain (the environment Lambda sets). Locally the hub also names the
 * emulators' endpoints and the credentials they take, per hub, so several hubs can share one process.
 */
export interface AwsConfig {
  region?: string;
  endpoints?: { dynamodb?: string; sqs?: string; s3?: string; secretsmanager?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Path-style S3 addressing (the local emulator) */
  s3ForcePathStyle?: boolean;
}

/** The options every SDK client of one service takes from the config. */
export function clientOptions(aws: AwsConfig, service: keyof NonNullable<AwsConfig['endpoints']>) {
  const endpoint = aws.endpoints?.[service];
  return {
    ...(aws.region ? { region: aws.region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
  };
}
