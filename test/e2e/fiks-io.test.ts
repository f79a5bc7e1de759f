/**
 * The whole hub with its archive targets on Fiks IO (the Fiks IO demo configuration): the local Fiks IO on a real
 * RabbitMQ, the hub's arkivmelding packed, signed and encrypted, the simulated archive system validating it and
 * answering mottatt + kvittering (or an error) on the hub's queue, the hub's receiver moving the delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedArchive } from '../../infra/local/fiks-io/archive-system.ts';
import { requireRabbitMq } from '../../infra/local/fiks-io/rabbitmq.ts';
import { fiksIoTestConfig } from '../support/fiks-io-config.ts';
import { providerFor, SAMPLE_NAMES, sample, testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: SimulatedArchive;

const RECEIPT_TIMEOUT_SECONDS = 6;
const ARCHIVE_TARGETS = new Set(['halden-arkiv', 'innherred-byggesak-arkiv']);
const done = (s: { status: string }) => s.status === 'DELIVERED' || s.status === 'FAILED';

beforeAll(async () => {
  requireRabbitMq();
  // Quiet: the functions' info lines are not what this file checks.
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  t = await testHub(undefined, { configPath: await fiksIoTestConfig(RECEIPT_TIMEOUT_SECONDS) });
  if (!t.hub.fiksIo) throw new Error('the hub did not start the local Fiks IO');
  archive = t.hub.fiksIo.archive;
});

afterAll(async () => {
  await t?.hub.stop();
});

/** The simulated archive's journalposts for one submission (its external key is the trackingId). */
const journalposterFor = (trackingId: string) => archive.journalposter().filter((j) => j.key?.includes(trackingId));

async function submit(name: string, change: (body: any) => void = () => {}) {
  const body = await sample(name);
  change(body);
  const response = await t.post(body, providerFor(body.formType));
  expect(response.status, name).toBe(202);
  return response.body.trackingId as string;
}

const details = (history: { detail: string }[]) => history.map((h) => h.detail).join('\n');

/** A delivery as the municipality's staff see it (admin API): its history in the hub's and the archive's words. */
const staffDelivery = async (id: string) => {
  const response = await t.admin('GET', `/deliveries/${encodeURIComponent(id)}`);
  expect(response.status).toBe(200);
  return response.body.delivery;
};

describe('archive deliveries over Fiks IO, end to end', () => {
  const tracking = new Map<string, string>();

  it('files every sample in the archive system, which answers with its own numbers', async () => {
    for (const name of SAMPLE_NAMES) tracking.set(name, await submit(name));
    for (const name of SAMPLE_NAMES) {
      const trackingId = tracking.get(name) ?? '';
      const status = await t.waitFor(trackingId, providerFor(name), done, 90_000);
      expect(status.status, name).toBe('DELIVERED');
      for (const delivery of status.deliveries.filter((d: { target: string }) => ARCHIVE_TARGETS.has(d.target))) {
        const [jp, ...more] = journalposterFor(trackingId);
        expect(more, name).toEqual([]);
        expect(jp, name).toBeDefined();
        expect(delivery.references.journalpostnummer).toBe(String(jp?.journalpostnummer));
        const mappe = archive.mapper().find((m) => m.systemID === jp?.mappeSystemID);
        expect(delivery.references.saksnummer).toBe(`${mappe?.saksaar}/${mappe?.sakssekvensnummer}`);
        // Every document named in the arkivmelding travelled in the package under that name.
        const body = await sample(name);
        for (const a of body.attachments as { filename: string }[]) expect(jp?.dokumenter).toContain(a.filename);
        const staff = await staffDelivery(delivery.id);
        const text = details(staff.history);
        expect(text).toMatch(/Sendt til .*, venter på kvittering\./);
        expect(text).toMatch(/har mottatt meldingen og behandler den\./);
        expect(staff.history.at(-1)).toMatchObject({ status: 'DELIVERED' });
        expect(staff.history.at(-1).detail).toContain(`saksnummer: ${delivery.references.saksnummer}`);
      }
    }
  });

  it('carries the archive’s own saksnummer into the building-case system (archive first, then fagsystem)', async () => {
    const trackingId = tracking.get('soknad-tiltak-uten-ansvarsrett') ?? '';
    const status = { body: await t.waitFor(trackingId, 'eskjema', done, 60_000) };
    const archived = status.body.deliveries.find((d: { target: string }) => d.target === 'innherred-byggesak-arkiv');
    const byggesak = status.body.deliveries.find((d: { target: string }) => d.target === 'innherred-byggesak');
    expect(byggesak.status).toBe('DELIVERED');
    expect((await staffDelivery(byggesak.id)).history[1].detail).toContain(
      `saksnummer ${archived.references.saksnummer}`,
    );
  });

  it('files a second TT-kort for the same person in the folder the first one made', async () => {
    const first = tracking.get('tt-kort-soknad') ?? '';
    const second = await submit('tt-kort-soknad', (body) => {
      body.submissionId = 'fiks-io-samme-mappe';
    });
    const status = await t.waitFor(second, 'eskjema', done, 60_000);
    expect(status.status).toBe('DELIVERED');
    const before = (await t.status(first)).body.deliveries[0].references;
    expect(status.deliveries[0].references.saksnummer).toBe(before.saksnummer);
    expect(status.deliveries[0].references.journalpostnummer).not.toBe(before.journalpostnummer);
    const [jp1] = journalposterFor(first);
    const [jp2] = journalposterFor(second);
    expect(jp2?.mappeSystemID).toBe(jp1?.mappeSystemID);
    // Asked first (innsyn.mappe.hent): the first found none and created it, the second filed into it.
    const firstId = (await t.status(first)).body.deliveries[0].id;
    expect(details((await staffDelivery(firstId)).history)).toContain('har ingen saksmappe for dette ennå');
    expect(details((await staffDelivery(status.deliveries[0].id)).history)).toContain(
      `har saksmappen fra før (saksnummer ${before.saksnummer}); journalposten arkiveres i den.`,
    );
  });

  it('a record the archive rejects is FAILED with the archive’s own words, explained to staff', async () => {
    archive.injectFaults('ugyldigforespoersel');
    const trackingId = await submit('tt-kort-soknad', (body) => {
      body.submissionId = 'fiks-io-avvist';
    });
    const status = await t.waitFor(trackingId, 'eskjema', done, 60_000);
    expect(status.status).toBe('FAILED');
    const [delivery] = status.deliveries;
    expect((await staffDelivery(delivery.id)).lastError).toContain('Avvist av arkivet (simulert)');
    expect(journalposterFor(trackingId)).toEqual([]);
    const detail = await t.admin('GET', `/deliveries/${delivery.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.explanation).toMatchObject({
      code: 'target-rejected',
      kind: 'archive-rejected',
      targetErrorType: 'ugyldigforespoersel',
      targetMessage: 'Avvist av arkivet (simulert)',
      retryHelps: false,
    });
  });

  it('a server error in the archive is tried again, then delivered', async () => {
    archive.injectFaults('serverfeil');
    const trackingId = await submit('tt-kort-soknad', (body) => {
      body.submissionId = 'fiks-io-serverfeil';
    });
    const status = await t.waitFor(trackingId, 'eskjema', done, 60_000);
    expect(status.status).toBe('DELIVERED');
    const [delivery] = status.deliveries;
    expect(delivery.attempts).toBeGreaterThanOrEqual(2);
    expect(details((await staffDelivery(delivery.id)).history)).toContain(
      'Arkivet meldte en feil hos seg selv (serverfeil)',
    );
    expect(journalposterFor(trackingId)).toHaveLength(1);
  });

  it('no reply by the deadline: sent again, and the archive files exactly one journalpost', async () => {
    archive.injectFaults('noReply');
    const sentBefore = t.hub.fiksIo?.service.sent.length ?? 0;
    const trackingId = await submit('tt-kort-soknad', (body) => {
      body.submissionId = 'fiks-io-uten-svar';
    });
    const status = await t.waitFor(trackingId, 'eskjema', done, 90_000);
    expect(status.status).toBe('DELIVERED');
    const [delivery] = status.deliveries;
    expect(details((await staffDelivery(delivery.id)).history)).toContain(
      'Ingen kvittering fra mottakeren innen fristen; sendes på nytt.',
    );
    expect(journalposterFor(trackingId)).toHaveLength(1);
    // Both attempts were the same logical message to the archive.
    const requests = (t.hub.fiksIo?.service.sent ?? [])
      .slice(sentBefore)
      .filter((m) => m.meldingType === 'no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett');
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requests.map((m) => m.headere?.klientMeldingId)).size).toBe(1);
  });
});
