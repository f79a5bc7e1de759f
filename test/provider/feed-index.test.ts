import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalClients } from '../../infra/local/clients.ts';
import { startEmulators } from '../../infra/local/emulators.ts';
import { ensureTable } from '../../infra/local/provision.ts';
import { tableDefinition } from '../../shared/store/table.ts';

/** A data dir from before the feed existed: its table gets the feed's index at the next start, data kept. */
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the feed’s index on an existing table', () => {
  it('is added by provisioning, next to the index the table had', async () => {
    dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-feed-index-'));
    const emulators = await startEmulators({ dataDir: dir });
    try {
      const { dynamodb } = createLocalClients(emulators);
      const current = tableDefinition('skjemaflyt');
      // The table as provisioning created it before the feed: the admin index only.
      const before = {
        ...current,
        AttributeDefinitions: current.AttributeDefinitions?.filter((a) => !a.AttributeName?.startsWith('gsi2')),
        GlobalSecondaryIndexes: current.GlobalSecondaryIndexes?.filter((i) => i.IndexName !== 'byProviderUpdated'),
      };
      await ensureTable(dynamodb, before);
      await ensureTable(dynamodb, current);
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'skjemaflyt' }));
      const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((i) => `${i.IndexName}:${i.IndexStatus}`).sort();
      expect(indexes).toEqual(['byMunicipalityStatus:ACTIVE', 'byProviderUpdated:ACTIVE']);
    } finally {
      await emulators.stop();
    }
  }, 120_000);
});
