/**
 * The Fiks IO archive target without a network: its configuration (loaded, and refused naming file and field),
 * the adapter's message and its typed failures, and how each archive reply is read.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../shared/config/load.ts';
import type { FiksIoTransport } from '../../shared/config/types.ts';
import { DeliveryFailure } from '../../shared/delivery/failures.ts';
import { understand } from '../../shared/delivery/fiks-io-replies.ts';
import { FiksIoError, type OutgoingMessage } from '../../shared/fiks-io/client.ts';
import { feilmeldingXml, MeldingType } from '../../shared/fiks-io/fiks-arkiv.ts';
import { MaskinportenError } from '../../shared/fiks-io/maskinporten.ts';
import type { ReceivedMessage } from '../../shared/fiks-io/receiver.ts';
import { FiksIoArchive, klientMeldingId } from '../../shared/targets/fiks-io-archive.ts';
import type { FiksIoConnection } from '../../shared/targets/fiks-io-connection.ts';
import { refusalIssues } from '../support/config.ts';
import { fiksIoTestConfig } from '../support/fiks-io-config.ts';

const VARIABLES = [
  'SKJEMAFLYT_FIKS_IO_API_URL',
  'SKJEMAFLYT_FIKS_IO_AMQP_URL',
  'SKJEMAFLYT_MASKINPORTEN_TOKEN_URL',
  'SKJEMAFLYT_MASKINPORTEN_ISSUER',
];
afterEach(() => {
  for (const name of VARIABLES) delete process.env[name];
});

async function changedConfig(change: (halden: any) => void): Promise<string> {
  const dir = await fiksIoTestConfig(30);
  const file = join(dir, 'halden.json');
  const halden = JSON.parse(await readFile(file, 'utf8'));
  change(halden);
  await writeFile(file, JSON.stringify(halden));
  return dir;
}

describe('the fiks-io transport in the configuration', () => {
  it('loads the Fiks IO demo with its endpoints expanded from the environment', async () => {
    for (const name of VARIABLES) process.env[name] = `https://${name.toLowerCase()}.example`;
    const config = await loadHubConfig(await fiksIoTestConfig(30));
    const halden = config.deployments.find((d) => d.deployment === 'halden');
    const transport = halden?.targets.find((t) => t.id === 'halden-arkiv')?.transport as FiksIoTransport;
    expect(transport.apiUrl).toBe('https://skjemaflyt_fiks_io_api_url.example');
    expect(transport.maskinporten.audience).toBe('https://skjemaflyt_maskinporten_issuer.example');
    expect(transport.certificate).toEqual({ env: 'HALDEN_FIKS_IO_CERTIFICATE' });
  });

  it('refuses an unset endpoint variable, naming the field', async () => {
    const issues = await refusalIssues(async () => loadHubConfig(await fiksIoTestConfig(30)));
    expect(issues).toContainEqual({
      file: 'halden.json',
      path: '/targets/0/transport/apiUrl',
      message: 'environment variable SKJEMAFLYT_FIKS_IO_API_URL is not set',
    });
  });

  it('names the file and field of a broken Fiks IO transport', async () => {
    for (const name of VARIABLES) process.env[name] = 'https://x.example';
    const dir = await changedConfig((h) => {
      const transport = h.targets[0].transport;
      transport.amqpUrl = 'amqp://io.fiks.ks.no'; // not TLS
      transport.kontoId = 'not-a-uuid';
      delete transport.maskinporten.certificateChain; // neither keyId nor a certificate
      transport.archive = { organisasjonsnummer: '938587418' }; // no sikkerhetsniva
      transport.certificate = 'PEM in the file';
    });
    const paths = (await refusalIssues(() => loadHubConfig(dir))).map((i) => `${i.file}${i.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'halden.json/targets/0/transport/amqpUrl',
        'halden.json/targets/0/transport/kontoId',
        'halden.json/targets/0/transport/maskinporten',
        'halden.json/targets/0/transport/archive',
        'halden.json/targets/0/transport/certificate',
      ]),
    );
  });

  it('refuses Fiks IO for a specialist system', async () => {
    for (const name of VARIABLES) process.env[name] = 'https://x.example';
    const dir = await changedConfig((h) => {
      h.targets[1].transport = h.targets[0].transport;
    });
    const issues = await refusalIssues(() => loadHubConfig(dir));
    expect(issues).toContainEqual({
      file: 'halden.json',
      path: '/targets/1/transport/type',
      message: 'fiks-io is for archive targets in the fiks-arkiv-v1 format',
    });
  });
});

const transport: FiksIoTransport = {
  type: 'fiks-io',
  apiUrl: 'https://api.fiks.test.ks.no',
  amqpUrl: 'amqps://io.fiks.test.ks.no:5671',
  kontoId: '5d1f3c62-7a0e-4b8e-9a57-1c3e0d2b4f10',
  archive: { organisasjonsnummer: '938587418', sikkerhetsniva: 4 },
  integration: { id: '8a4c2e17-3b5d-4f6a-9c81-2d7e5f0a3b21', password: { env: 'P' } },
  maskinporten: {
    tokenEndpoint: 'https://test.maskinporten.no/token',
    audience: 'https://test.maskinporten.no/',
    clientId: 'c',
    privateKey: { env: 'K' },
    keyId: 'k',
  },
  certificate: { env: 'C' },
  privateKey: { env: 'K' },
  receiptTimeoutSeconds: 120,
};
const ARCHIVE_KONTO = '9b2e6f4a-1d3c-4b8e-a7f5-0c6d2e9b1a84';
const shipment = {
  kommunenummer: '5037',
  trackingId: '0b6f0d3e-3f0e-4a4e-9a43-0c5c3f1f7a11',
  targetId: 'innherred-byggesak-arkiv',
  arkivmeldingXml: '<arkivmelding/>',
  files: [{ filename: 'Søknad om tiltak.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF') }],
};

function fakeConnection(send: (m: OutgoingMessage) => Promise<{ meldingId: string }>) {
  const sent: OutgoingMessage[] = [];
  const lookups: unknown[] = [];
  const connection = {
    api: {
      lookup: async (request: unknown) => {
        lookups.push(request);
        return { kontoId: ARCHIVE_KONTO };
      },
    },
    sender: {
      send: async (message: OutgoingMessage) => {
        sent.push(message);
        return send(message);
      },
    },
  } as unknown as FiksIoConnection;
  return { connection, sent, lookups };
}

describe('the Fiks IO archive adapter', () => {
  it('sends arkivmelding.opprett with the documents under their referanseDokumentfil names; answers sent', async () => {
    const fake = fakeConnection(async () => ({ meldingId: '11111111-2222-4333-8444-555555555555' }));
    const now = Date.parse('2026-11-24T10:00:00Z');
    const adapter = new FiksIoArchive(transport, { connect: async () => fake.connection, now: () => now });
    const answer = await adapter.send(shipment);
    expect(answer).toEqual({
      kind: 'sent',
      messageId: '11111111-2222-4333-8444-555555555555',
      receiptDeadline: '2026-11-24T10:02:00.000Z',
      recipient: ARCHIVE_KONTO,
    });
    const [message] = fake.sent;
    expect(message?.mottakerKontoId).toBe(ARCHIVE_KONTO);
    expect(message?.meldingType).toBe('no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett');
    expect(message?.files?.map((f) => f.name)).toEqual(['arkivmelding.xml', 'Søknad om tiltak.pdf']);
    expect(message?.ttlMs).toBe(48 * 3600 * 1000);
    expect(fake.lookups).toEqual([
      { identifikator: 'ORG_NO.938587418', meldingProtokoll: 'no.ks.fiks.arkiv.v1', sikkerhetsniva: 4 },
    ]);
    // A retry reuses the client message id, and the looked-up account.
    await adapter.send(shipment);
    expect(fake.sent[1]?.klientMeldingId).toBe(message?.klientMeldingId);
    expect(fake.lookups).toHaveLength(1);
  });

  it('gives every delivery its own stable klientMeldingId, a UUID', () => {
    const id = klientMeldingId(shipment);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(klientMeldingId({ ...shipment })).toBe(id);
    expect(klientMeldingId({ ...shipment, targetId: 'halden-arkiv' })).not.toBe(id);
  });

  it.each([
    [new FiksIoError('fiksio_unavailable', 'send: Fiks IO answered 503', true, 503), 'target-unavailable', true],
    [new FiksIoError('fiksio_unavailable', 'send: unreachable', true), 'target-unavailable', true],
    [new FiksIoError('fiksio_unauthorized', 'send: Fiks IO answered 403', false, 403), 'auth-refused', false],
    [new FiksIoError('fiksio_refused', 'send: Fiks IO answered 400 ugyldig', false, 400), 'target-rejected', false],
    [new FiksIoError('fiksio_not_found', 'no public key', false), 'configuration-missing', false],
    [new MaskinportenError('maskinporten_refused', 'invalid_client', false, 400), 'auth-refused', false],
    [new MaskinportenError('maskinporten_unavailable', 'down', true, 502), 'target-unavailable', true],
  ])('turns %s into a typed failure', async (error, code, retryable) => {
    const fake = fakeConnection(async () => {
      throw error;
    });
    const adapter = new FiksIoArchive(transport, { connect: async () => fake.connection });
    const failure = await adapter.send(shipment).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryFailure);
    expect(failure).toMatchObject({ code, retryable });
  });
});

const reply = (meldingType: string, files: Record<string, string> = {}): ReceivedMessage => ({
  meldingId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  meldingType,
  avsenderKontoId: ARCHIVE_KONTO,
  mottakerKontoId: transport.kontoId,
  svarPaMelding: '11111111-2222-4333-8444-555555555555',
  headere: {},
  redelivered: false,
  files: Object.entries(files).map(([name, text]) => ({
    name,
    data: Buffer.from(text),
    mimeType: 'application/xml',
  })),
});

describe('reading the archive’s replies', () => {
  const inReplyTo = '11111111-2222-4333-8444-555555555555';

  it('mottatt, and a kvittering with the archive’s numbers', () => {
    expect(understand(reply(MeldingType.arkivmeldingOpprettMottatt))).toEqual({
      kind: 'reply',
      reply: { kind: 'mottatt', inReplyTo, from: ARCHIVE_KONTO },
    });
    const kvittering =
      '<arkivmeldingKvittering xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1">' +
      '<mappeKvittering><systemID>m1</systemID><saksaar>2026</saksaar><sakssekvensnummer>7</sakssekvensnummer></mappeKvittering>' +
      '<registreringKvittering><systemID>j1</systemID><opprettetEllerEksisterende>Eksisterende</opprettetEllerEksisterende>' +
      '<journalaar>2026</journalaar><journalsekvensnummer>31</journalsekvensnummer><journalpostnummer>2</journalpostnummer>' +
      '</registreringKvittering></arkivmeldingKvittering>';
    const understood = understand(
      reply(MeldingType.arkivmeldingOpprettKvittering, { 'arkivmelding-kvittering.xml': kvittering }),
    );
    expect(understood).toMatchObject({
      kind: 'reply',
      reply: {
        kind: 'kvittering',
        inReplyTo,
        existing: true,
        references: { saksnummer: '2026/7', journalpostnummer: '2', journalnummer: '2026/31' },
      },
    });
  });

  it('the protocol’s errors, with the archive’s own words', () => {
    for (const type of ['ugyldigforespoersel', 'serverfeil', 'ikkefunnet'] as const) {
      const understood = understand(
        reply(MeldingType[type], { 'feilmelding.xml': feilmeldingXml(type, 'f1', `Arkivets ord om ${type}`) }),
      );
      expect(understood).toEqual({
        kind: 'reply',
        reply: { kind: 'feil', inReplyTo, type, feilmelding: `Arkivets ord om ${type}`, from: ARCHIVE_KONTO },
      });
    }
  });

  it('ignores what is no reply to an arkivmelding: unknown types, no svar-til, an unreadable kvittering', () => {
    expect(understand(reply('no.ks.fiks.arkiv.v1.innsyn.sok.resultat.utvidet'))).toEqual({
      kind: 'ignored',
      reason: 'unknown-meldingtype',
    });
    expect(understand(reply(MeldingType.mappeHentResultat, { 'resultat.xml': '<mappeHentResultat/>' }))).toEqual({
      kind: 'ignored',
      reason: 'mappe-resultat-unreadable',
    });
    expect(understand({ ...reply(MeldingType.arkivmeldingOpprettMottatt), svarPaMelding: undefined })).toEqual({
      kind: 'ignored',
      reason: 'no-svar-til',
    });
    expect(
      understand(reply(MeldingType.arkivmeldingOpprettKvittering, { 'arkivmelding-kvittering.xml': '<x/>' })),
    ).toEqual({ kind: 'ignored', reason: 'kvittering-unreadable' });
  });
});

describe('a reused folder: innsyn.mappe.hent before the record', () => {
  const key = { fagsystem: 'skjemaflyt', noekkel: 'tt-kort/12035440095' };
  const ids = ['11111111-2222-4333-8444-555555555555', '66666666-2222-4333-8444-555555555555'];

  it('asks for the folder by its external key first (no documents), then sends the record', async () => {
    let n = 0;
    const fake = fakeConnection(async () => ({ meldingId: ids[n++] ?? '' }));
    const adapter = new FiksIoArchive(transport, { connect: async () => fake.connection });
    const asked = await adapter.send({ ...shipment, reusedFolder: { key } });
    expect(asked).toMatchObject({ kind: 'sent', messageId: ids[0], step: 'folder-lookup', recipient: ARCHIVE_KONTO });
    expect(fake.sent[0]?.meldingType).toBe('no.ks.fiks.arkiv.v1.innsyn.mappe.hent');
    expect(fake.sent[0]?.files?.map((f) => f.name)).toEqual(['mappe-hent.xml']);
    expect(Buffer.from(fake.sent[0]?.files?.[0]?.data ?? []).toString()).toContain(
      '<n5mdk:noekkel>tt-kort/12035440095</n5mdk:noekkel>',
    );
    // The question and the record are told apart in the archive's log; a retry of either reuses its own id.
    expect(fake.sent[0]?.klientMeldingId).not.toBe(klientMeldingId(shipment));

    const filed = await adapter.send({ ...shipment, reusedFolder: { key, lookup: { found: false } } });
    expect(filed).toMatchObject({ kind: 'sent', messageId: ids[1] });
    expect(filed).not.toHaveProperty('step');
    expect(fake.sent[1]?.meldingType).toBe('no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett');
    expect(fake.sent[1]?.klientMeldingId).toBe(klientMeldingId(shipment));
  });

  it('reads the archive’s answer: the folder found, with its systemID and saksnummer', () => {
    const resultat =
      '<mappeHentResultat xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/mappe/hent/resultat/v1"' +
      ' xmlns:a="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivstruktur/v1"><saksmappe>' +
      '<a:systemID>m-17</a:systemID><a:tittel>TT-kort</a:tittel><a:saksaar>2026</a:saksaar>' +
      '<a:sakssekvensnummer>17</a:sakssekvensnummer></saksmappe></mappeHentResultat>';
    expect(understand(reply(MeldingType.mappeHentResultat, { 'resultat.xml': resultat }))).toEqual({
      kind: 'reply',
      reply: {
        kind: 'folder',
        inReplyTo: '11111111-2222-4333-8444-555555555555',
        folder: { systemID: 'm-17', saksnummer: '2026/17' },
        from: ARCHIVE_KONTO,
      },
    });
  });
});
