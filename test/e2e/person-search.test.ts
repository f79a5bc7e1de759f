import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerFor, sample, testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let trackingId = '';
// The employee on the sample A-skjema (Randi Sommerseth, the manager, sent it).
const EMPLOYEE_NATIONAL_ID = '29029240181';

beforeAll(async () => {
  t = await testHub();
  const body = await sample('a-skjema-tilsetting');
  const response = await t.post(body, providerFor(body.formType));
  expect(response.status).toBe(202);
  trackingId = response.body.trackingId;
});

afterAll(async () => {
  await t?.hub.stop();
});

describe('staff find a submission by the person it is about', () => {
  it('finds the A-skjema by the employee’s name, not only the manager’s', async () => {
    const { status, body } = await t.admin(
      'GET',
      `/deliveries?municipality=3101&q=${encodeURIComponent('jonas ødeg')}`,
    );
    expect(status).toBe(200);
    expect(body.submissions.map((s: { trackingId: string }) => s.trackingId)).toEqual([trackingId]);
    // One result for the submission, with its three deliveries.
    expect(body.submissions[0].deliveries).toHaveLength(3);
  });

  it('finds it by the employee’s fødselsnummer (POST, with a purpose recorded on each delivery found)', async () => {
    const { status, body } = await t.admin('POST', '/deliveries/search', {
      municipality: '3101',
      nationalId: EMPLOYEE_NATIONAL_ID,
      purpose: 'Den ansatte ringte om lønn',
    });
    expect(status).toBe(200);
    expect(body.submissions.map((s: { trackingId: string }) => s.trackingId)).toEqual([trackingId]);
    const [first] = body.submissions[0].deliveries;
    const detail = await t.admin('GET', `/deliveries/${encodeURIComponent(first.id)}`);
    expect(detail.body.delivery.audit).toEqual([
      expect.objectContaining({
        action: 'national-id-searched',
        detail: expect.stringContaining('Formål: Den ansatte ringte om lønn'),
      }),
    ]);
    // Never the number itself in the answer, nor in the table (the index holds only its keyed hash).
    expect(JSON.stringify(body)).not.toContain(EMPLOYEE_NATIONAL_ID);
    const { Items = [] } = await t.hub.clients.dynamodb.send(new ScanCommand({ TableName: t.hub.resources.tableName }));
    expect(Items.some((i) => i.sk?.S?.startsWith('FIND#='))).toBe(true);
    expect(JSON.stringify(Items)).not.toContain(EMPLOYEE_NATIONAL_ID);
  });

  it('asks for the purpose, and refuses a fødselsnummer in a URL', async () => {
    const noPurpose = await t.admin('POST', '/deliveries/search', {
      municipality: '3101',
      nationalId: EMPLOYEE_NATIONAL_ID,
    });
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.errors).toEqual([expect.objectContaining({ path: '/purpose' })]);
    const inUrl = await t.admin('GET', `/deliveries?municipality=3101&q=${EMPLOYEE_NATIONAL_ID}`);
    expect(inUrl.status).toBe(400);
    expect(inUrl.body.errors).toEqual([expect.objectContaining({ path: '/q' })]);
  });

  it('another municipality’s admin finds nothing', async () => {
    const byNumber = await t.admin(
      'POST',
      '/deliveries/search',
      { nationalId: EMPLOYEE_NATIONAL_ID, purpose: 'Kontroll av tilgang' },
      ['5037'],
    );
    expect(byNumber.status).toBe(200);
    expect(byNumber.body.submissions).toEqual([]);
    const byName = await t.admin('GET', '/deliveries?q=jonas', undefined, ['5037']);
    expect(byName.body.submissions).toEqual([]);
  });
});
