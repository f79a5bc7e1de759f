import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample, testHub } from '../support/hub.ts';
import type { components, paths } from './generated/openapi.ts';
import { contract } from './support/contract.ts';

/**
 * A form provider's integration, written the way a vendor writes it: a client generated from schemas/openapi.yaml
 * (openapi-typescript + openapi-fetch; `npm run typecheck` checks these requests against the description), against
 * a running hub; every answer is checked against the description's response schema.
 */
type Submission = components['schemas']['Submission'];
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
const check = contract();

beforeAll(async () => {
  t = await testHub();
});

afterAll(async () => {
  await t?.hub.stop();
});

/** The client as a provider builds it: its Maskinporten token for the municipality it submits for. */
async function clientFor(municipality: string, provider = 'eskjema') {
  const token = await t.token({ provider, municipality });
  return createClient<paths>({ baseUrl: t.hub.url, headers: { authorization: `Bearer ${token}` } });
}

async function envelope(name: string, submissionId: string): Promise<Submission> {
  return { ...((await sample(name)) as unknown as Submission), submissionId };
}

describe('a provider’s integration through the generated client', () => {
  it('submits, polls the status until delivered, and finds it in the feed and by its own id', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const body = await envelope('tt-kort-soknad', 'client-1');
    const api = await clientFor(body.municipality);
    const submitted = await api.POST('/v1/submissions', { body });
    expect(submitted.response.status).toBe(202);
    expect(check('/v1/submissions', 'POST', 202, submitted.data)).toEqual([]);
    const trackingId = submitted.data?.trackingId ?? '';

    let status: components['schemas']['SubmissionStatus'] | undefined;
    for (let i = 0; i < 300 && status?.status !== 'DELIVERED'; i++) {
      const polled = await api.GET('/v1/submissions/{trackingId}', { params: { path: { trackingId } } });
      expect(polled.response.status).toBe(200);
      expect(check('/v1/submissions/{trackingId}', 'GET', 200, polled.data)).toEqual([]);
      status = polled.data;
      if (status?.status !== 'DELIVERED') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status?.status).toBe('DELIVERED');
    expect(status?.deliveries[0]?.references.saksnummer).toBeTruthy();

    const feed = await api.GET('/v1/submissions', { params: { query: { updatedSince: since, limit: 100 } } });
    expect(feed.response.status).toBe(200);
    expect(check('/v1/submissions', 'GET', 200, feed.data)).toEqual([]);
    expect(feed.data?.items.map((s) => s.trackingId)).toContain(trackingId);

    const found = await api.GET('/v1/submissions', { params: { query: { submissionId: 'client-1' } } });
    expect(check('/v1/submissions', 'GET', 200, found.data)).toEqual([]);
    expect(found.data?.items.map((s) => s.trackingId)).toEqual([trackingId]);
  }, 60_000);

  it('a repeat is 200 with the same receipt; other content under the same id is 409 with the trackingId', async () => {
    const body = await envelope('melding-vei-gatelys', 'client-2');
    const api = await clientFor(body.municipality);
    const first = await api.POST('/v1/submissions', { body });
    const repeat = await api.POST('/v1/submissions', { body });
    expect(repeat.response.status).toBe(200);
    expect(check('/v1/submissions', 'POST', 200, repeat.data)).toEqual([]);
    expect(repeat.data?.trackingId).toBe(first.data?.trackingId);

    const changed = await api.POST('/v1/submissions', { body: { ...body, submittedAt: '2026-11-29T10:00:00+01:00' } });
    expect(changed.response.status).toBe(409);
    expect(check('/v1/submissions', 'POST', 409, changed.error)).toEqual([]);
    expect(changed.error).toMatchObject({
      type: 'https://skjemaflyt.no/problems/submission-id-reused',
      trackingId: first.data?.trackingId,
    });
  });

  it('form data of the wrong kind for the form type is 422, naming the field with a code', async () => {
    const body = await envelope('tt-kort-soknad', 'client-3');
    const api = await clientFor(body.municipality);
    const rejected = await api.POST('/v1/submissions', {
      body: { ...body, formData: { contentType: 'application/json', content: '{}' } },
    });
    expect(rejected.response.status).toBe(422);
    expect(check('/v1/submissions', 'POST', 422, rejected.error)).toEqual([]);
    expect(rejected.error?.errors[0]).toMatchObject({ path: '/formData/contentType' });
    expect(typeof rejected.error?.errors[0]?.code).toBe('string');
  });

  it('the other answers a provider meets hold to the description too: 400, 401, 403, 404', async () => {
    const body = await envelope('tt-kort-soknad', 'client-4');
    const api = await clientFor(body.municipality);
    const bad = await api.POST('/v1/submissions', { body: { ...body, municipality: '31x1' } });
    expect(bad.response.status).toBe(400);
    expect(check('/v1/submissions', 'POST', 400, bad.error)).toEqual([]);

    const anonymous = createClient<paths>({ baseUrl: t.hub.url });
    const unauthenticated = await anonymous.GET('/v1/submissions', {});
    expect(unauthenticated.response.status).toBe(401);
    expect(unauthenticated.response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(check('/v1/submissions', 'GET', 401, unauthenticated.error)).toEqual([]);

    const intranet = await clientFor(body.municipality, 'halden-intranett');
    const forbidden = await intranet.POST('/v1/submissions', { body });
    expect(forbidden.response.status).toBe(403);
    expect(check('/v1/submissions', 'POST', 403, forbidden.error)).toEqual([]);

    const missing = await api.GET('/v1/submissions/{trackingId}', {
      params: { path: { trackingId: '0b6f0d3e-3f0e-4a4e-9a43-0c5c3f1f7a11' } },
    });
    expect(missing.response.status).toBe(404);
    expect(check('/v1/submissions/{trackingId}', 'GET', 404, missing.error)).toEqual([]);
  });
});
