import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../../shared/config/registry.ts';
import { runRetention } from '../../shared/retention/cleanup.ts';
import { DEFAULT_PERSONAL_DATA_RETENTION_DAYS } from '../../shared/retention/rule.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { newSubmission } from '../support/factories.ts';
import { providerFor, testHub } from '../support/hub.ts';

/**
 * Issue 16, point 6: the table's personal data (the submitter's name, the documents' titles and file names, the
 * name-search entries) is not kept forever. After the documents' retention it stays for the form type's
 * personal-data retention (a year by default) and then goes; the status, ids and references stay.
 */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let trackingId: string;
const NAME = 'Åse Marie Østby-Lærum';

beforeAll(async () => {
  t = await testHub(undefined, { retentionIntervalMs: 0 });
  const body = await newSubmission('tt-kort-soknad', 'personvern');
  const response = await t.post(body, providerFor(body.formType));
  expect(response.status).toBe(202);
  trackingId = response.body.trackingId;
  await t.waitFor(trackingId, 'eskjema', (s) => s.deliveries.every((d: any) => d.status === 'DELIVERED'));
});

afterAll(async () => {
  await t?.hub.stop();
});

const DAY = 24 * 3600 * 1000;
const db = () => DynamoDBDocumentClient.from(t.hub.clients.dynamodb);
const retentionIn = (days: number) =>
  runRetention({
    registry: buildRegistry(t.hub.config),
    store: new SubmissionStore(db(), t.hub.resources.tableName),
    s3: t.hub.clients.s3,
    bucket: t.hub.resources.bucketName,
    now: () => new Date(Date.now() + days * DAY),
  });

/** Everything the table holds about the submission, as text. */
async function tableText(): Promise<string> {
  const { Items } = await db().send(
    new QueryCommand({
      TableName: t.hub.resources.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `SUB#${trackingId}` },
    }),
  );
  return JSON.stringify(Items);
}

const searchByName = async () => {
  const found = await t.admin('GET', `/deliveries?municipality=3101&q=${encodeURIComponent('Østby')}`);
  expect(found.status).toBe(200);
  return JSON.stringify(found.body);
};

describe("the submitter's personal data in the table", () => {
  it('is kept while the documents are, and for the personal-data retention after (the service desk finds it by name)', async () => {
    expect(await tableText()).toContain('Østby');
    expect(await searchByName()).toContain(trackingId);

    const documentsGone = await retentionIn(31);
    expect(documentsGone.deleted).toEqual([trackingId]);
    expect(documentsGone.anonymised).toEqual([]);
    expect(await tableText()).toContain(NAME);
    expect(await searchByName()).toContain(trackingId);

    expect((await retentionIn(DEFAULT_PERSONAL_DATA_RETENTION_DAYS - 1)).anonymised).toEqual([]);
    expect(await tableText()).toContain(NAME);
  });

  it('goes after that: no name, no document title or file name, no search entry; the status and references stay', async () => {
    const report = await retentionIn(DEFAULT_PERSONAL_DATA_RETENTION_DAYS + 2);
    expect(report.anonymised).toEqual([trackingId]);
    const text = await tableText();
    for (const word of ['Østby', 'Lærum', 'Åse', 'TT-kort', 'legeerklaering', 'FIND#'])
      expect(text).not.toContain(word);
    expect(await searchByName()).not.toContain(trackingId);

    const status = await t.status(trackingId, 'eskjema');
    expect(status.body.status).toBe('DELIVERED');
    expect(status.body.deliveries[0].references.journalpostnummer).toBeDefined();
    // Staff see when and why in the delivery's notes.
    const staff = await t.staffView(trackingId);
    expect(JSON.stringify(staff.body.deliveries)).toContain('personal-data-removed');

    // Done once: a later run finds nothing more.
    expect((await retentionIn(DEFAULT_PERSONAL_DATA_RETENTION_DAYS + 10)).anonymised).toEqual([]);
  });
});
