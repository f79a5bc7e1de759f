import { join } from 'node:path';
import type { Hub } from './hub.ts';

/**
 * `npm start`: the whole hub on this machine. PORT (default 8080), SKJEMAFLYT_DATA_DIR (default ./.skjemaflyt),
 * SKJEMAFLYT_CONFIG (default: the demo configuration). Ctrl-C stops everything, DynamoDB Local included.
 */

// fauxqs persists through node:sqlite, which Node still flags as experimental: not worth a warning on every start.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (/SQLite is an experimental feature/.test(text)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const log = (line: string) => console.log(`[skjemaflyt] ${line}`);

let stopRequested = false;
let hub: Hub | undefined;

async function stop(signal: string) {
  if (stopRequested) {
    console.log('Stopping right away.');
    process.exit(1);
  }
  stopRequested = true;
  console.log(`\n${signal}: stopping Skjemaflyt …`);
  const force = setTimeout(() => {
    console.error('Stopping took too long; exiting.');
    process.exit(1);
  }, 20_000);
  force.unref();
  try {
    await hub?.stop();
  } finally {
    clearTimeout(force);
  }
  // A signal during startup: startHub cleans up after itself when it fails; exit once it is done.
  if (hub) process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stop(signal).catch((error) => {
      console.error(error);
      process.exit(1);
    });
  });
}

// `npm start` runs us under `sh -c`; when npm is killed with SIGTERM the shell dies without passing it on.
// Re-parenting is how we notice, and we stop as if signalled, so no emulator outlives the command.
const parent = process.ppid;
const orphanWatch = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(orphanWatch);
    stop('SIGTERM').catch(() => process.exit(1));
  }
}, 500);
orphanWatch.unref();

try {
  log('Starting DynamoDB Local and the SQS/S3 emulator …');
  // Imported after the warning filter above is in place (static imports would load node:sqlite first).
  const { startHub } = await import('./hub.ts');
  hub = await startHub({ log });
  if (stopRequested) {
    await hub.stop();
    process.exit(0);
  }
  const { url, dataDir, archiveDir, fagsystemDir, fiksIo, maskinporten, identityProvider } = hub;
  const archiveLine = fiksIo
    ? `Archive:         the simulated archive system on the local Fiks IO (${fiksIo.apiBaseUrl})`
    : `Archive files:   ${join(archiveDir, '<kommunenummer>', '<trackingId>', 'arkivmelding.xml')}`;
  console.log(`
Skjemaflyt is running on ${url}
  Health:          ${url}/health
  Submit:          POST ${url}/v1/submissions
  Status:          GET  ${url}/v1/submissions/{trackingId}
  Form types:      GET  ${url}/v1/form-types  (each one's contract: /v1/form-types/{id}/schema, /example)
  Console:         ${url}/console/  (sign in as kari, ivar, siri or nils; password demo)

  Data folder:     ${dataDir}  (survives a restart)
  ${archiveLine}
  Fagsystem files: ${join(fagsystemDir, '<system>', '<trackingId>.<json|xml>')}

  Maskinporten:    ${maskinporten.issuer}  (local; providers get their tokens here)
  Staff sign-in:   ${identityProvider.issuer}  (local identity provider for the console)
  A token:         npm run --silent token -- --provider eskjema
                   npm run --silent token -- --admin 3101
  Retry failures:  npm run --silent redrive -- --municipality 3101 --target <target> --status FAILED
  Sample posts:    npm run post-samples

Press Ctrl-C to stop.
`);
} catch (error) {
  console.error(`Skjemaflyt could not start: ${(error as Error)?.message ?? String(error)}`);
  if ((error as Error)?.cause) console.error((error as Error).cause);
  process.exit(1);
}
