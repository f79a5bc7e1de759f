import { BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../infra/local/provision.ts';
import { type AdminDeps, listDeliveries } from '../../shared/admin/deliveries.ts';
import { overview } from '../../shared/admin/overview.ts';
import type { Principal } from '../../shared/auth/claims.ts';
import { loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { fail } from '../../shared/delivery/failures.ts';
import type { DeliveryStatus } from '../../shared/delivery/lifecycle.ts';
import { statusIndexKeys } from '../../shared/store/dynamodb/keys.ts';
import type { DeliveryRecord } from '../../shared/store/records.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { tableDefinition } from '../../shared/store/table.ts';
import { startMemoryDynamoDb } from './support/dynamodb-memory.ts';

/**
 * The admin lists read the status index, never the table: with 100,000 deliveries of which 50 failed, listing the
 * failures reads those 50. The items are written straight into DynamoDB Local (in memory: fast to fill) in the shape
 * the store writes them, with the table definition the hub provisions.
 */

const TABLE = 'skjemaflyt-index-test';
const TOTAL = 100_000;
const FAILED = 50;
const DAY = 24 * 3600 * 1000;

let dynamodb: Awaited<ReturnType<typeof startMemoryDynamoDb>>;
let store: SubmissionStore;
let deps: AdminDeps;
const admin: Principal = {
  kind: 'admin',
  municipalities: ['3101'],
  canRetryResolve: ['3101'],
  subject: 'admin:test',
  name: 'Test',
};
const now = new Date('2026-11-25T12:00:00Z');

beforeAll(async () => {
  dynamodb = await startMemoryDynamoDb();
  await ensureTable(dynamodb.client, tableDefinition(TABLE));
  store = new SubmissionStore(DynamoDBDocumentClient.from(dynamodb.client), TABLE);
  deps = {
    store,
    queue: { send: async () => {} },
    documents: {
      get: async () => {
        throw Object.assign(new Error('none'), { name: 'NoSuchKey' });
      },
      put: async () => {},
    },
    registry: buildRegistry(await loadHubConfig('config')),
    now: () => now,
  };
});

afterAll(async () => {
  await dynamodb?.stop();
});

/** One delivery item as SubmissionStore.create and transition leave it. */
function deliveryItem(i: number, status: DeliveryStatus, changedAt: string) {
  const trackingId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const target = i % 3 === 0 ? 'halden-driftsordre' : 'halden-arkiv';
  const record: DeliveryRecord = {
    id: `${trackingId}.${target}`,
    trackingId,
    target,
    targetKind: target === 'halden-arkiv' ? 'archive' : 'fagsystem',
    municipality: '3101',
    formType: target === 'halden-arkiv' ? 'tt-kort-soknad' : 'melding-vei-gatelys',
    submissionId: `last-${i}`,
    submitter: { name: `Innsender ${i}` },
    status,
    attempts: status === 'FAILED' ? 5 : 1,
    references: status === 'DELIVERED' ? { saksnummer: `2026/${i}`, journalpostnummer: '1' } : {},
    history: [
      { at: changedAt, status: 'QUEUED', detail: 'Mottatt og lagt i kø.' },
      {
        at: changedAt,
        status,
        detail:
          status === 'FAILED'
            ? 'Avvist, krever manuell behandling: Arkivet avviste arkivmeldingen (ugyldigforespoersel: Mottakers postnummer mangler på korrespondansepart).'
            : 'Levert til Halden sak/arkiv (saksnummer: 2026/1, journalpostnummer: 1).',
      },
    ],
    ...(status === 'FAILED'
      ? {
          failure: fail
            .rejected('archive', 'Arkivet avviste arkivmeldingen (ugyldigforespoersel): Mottakers postnummer mangler', {
              errorType: 'ugyldigforespoersel',
              targetMessage: 'Mottakers postnummer mangler',
            })
            .toStored(),
        }
      : {}),
    updatedAt: changedAt,
  };
  return {
    pk: `SUB#${trackingId}`,
    sk: `DELIVERY#${target}`,
    ...statusIndexKeys(record.municipality, status, changedAt, record.id),
    type: 'delivery',
    ...record,
  };
}

async function writeAll(items: Record<string, unknown>[]) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      let requests = batch.map((item) => ({ PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) } }));
      while (requests.length > 0) {
        const result = await dynamodb.client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = (result.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

describe('the status index under 100,000 deliveries', () => {
  it('lists the 50 failures reading about 50 items, not 100,000', async () => {
    // Delivered over the last year, the failures spread over the last week.
    const items = Array.from({ length: TOTAL }, (_, i) =>
      i < FAILED
        ? deliveryItem(i, 'FAILED', new Date(now.getTime() - ((i % 7) + 1) * DAY + i * 1000).toISOString())
        : deliveryItem(i, 'DELIVERED', new Date(now.getTime() - (i % 365) * DAY - 3600_000).toISOString()),
    );
    await writeAll(items);
    const { Count } = await dynamodb.client.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }));
    expect(Count).toBeGreaterThan(1000); // a scan's first page alone reads far more than the list below

    const list = await listDeliveries(admin, { municipality: '3101', status: 'FAILED', limit: '100' }, deps);
    expect(list.items).toHaveLength(FAILED);
    expect(list.items.every((d) => d.status === 'FAILED')).toBe(true);
    expect(list.items[0]?.problem).toBe('Mottakers postnummer mangler');
    expect(list.nextCursor).toBeNull();
    expect(list.scannedCount).toBe(FAILED);
    // Each item is about 1 KB: 50 of them are a handful of read units (eventually consistent reads: 0.5 per 4 KB).
    expect(list.consumedCapacity).toBeGreaterThan(0);
    expect(list.consumedCapacity).toBeLessThan(20);

    // Filtered by target and paginated: still only the failures are read.
    const first = await listDeliveries(admin, { municipality: '3101', target: 'halden-arkiv', limit: '10' }, deps);
    expect(first.items).toHaveLength(10);
    const rest = await listDeliveries(
      admin,
      { municipality: '3101', target: 'halden-arkiv', limit: '100', cursor: first.nextCursor ?? '' },
      deps,
    );
    const archiveFailures = items.slice(0, FAILED).filter((i) => i.target === 'halden-arkiv').length;
    expect(first.items.length + rest.items.length).toBe(archiveFailures);
    expect(new Set([...first.items, ...rest.items].map((d) => d.id)).size).toBe(archiveFailures);
    // Only failures are read (a filtered page reads ahead, and the next page goes on after its last item).
    expect(first.scannedCount + rest.scannedCount).toBeLessThanOrEqual(2 * FAILED);

    // The overview counts the failures in full, and the delivered ones of the last day only.
    const summary = await overview(admin, { municipality: '3101' }, deps);
    expect(summary.counts.FAILED).toBe(FAILED);
    const deliveredToday = items.filter((i) => i.status === 'DELIVERED' && i.updatedAt >= summary.doneSince).length;
    expect(summary.counts.DELIVERED).toBe(deliveredToday);
    const read = await store.summarize('3101', 'DELIVERED', { from: summary.doneSince });
    expect(read.scannedCount).toBe(deliveredToday);
    expect(deliveredToday).toBeLessThan(TOTAL / 100);
  }, 240_000);
});
