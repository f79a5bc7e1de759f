/**
 * Fiks Arkiv over Fiks IO through a real RabbitMQ: our sender packs, signs and encrypts an arkivmelding, the local
 * Fiks IO routes it into the simulated archive's queue, the archive answers mottatt + kvittering, and our receiver
 * gets both from the hub's queue, decrypts, verifies and correlates them by svar-til. Hostile replies are refused,
 * logged without content, acked, and do not stop the receiver.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { type LocalFiksIo, startLocalFiksIo } from '../../infra/local/fiks-io/index.ts';
import { requireRabbitMq } from '../../infra/local/fiks-io/rabbitmq.ts';
import { packAsic } from '../../shared/fiks-io/asic.ts';
import { createFiksIoApi, createFiksIoSender, type FiksIoApi, type FiksIoSender } from '../../shared/fiks-io/client.ts';
import { encryptFor } from '../../shared/fiks-io/cms.ts';
import {
  FIKS_ARKIV_PROTOKOLL,
  MeldingType,
  mappeHentXml,
  PayloadFil,
  readMappeHentResultat,
} from '../../shared/fiks-io/fiks-arkiv.ts';
import { createMaskinportenClient } from '../../shared/fiks-io/maskinporten.ts';
import {
  createFiksIoReceiver,
  type FiksIoReceiver,
  queueName,
  type ReceivedMessage,
  type Refusal,
} from '../../shared/fiks-io/receiver.ts';
import { readZip, writeZip } from '../../shared/fiks-io/zip.ts';
import { readFiksArkivAnswer } from '../../shared/targets/fiks-arkiv-receipt.ts';
import { OpensslDir, requireOpenssl, type TestIdentity } from './helpers/openssl.ts';
import { startTokenEndpoint, type TokenEndpoint } from './helpers/token-endpoint.ts';

const HUB = randomUUID();
const ARCHIVE = randomUUID();
const HUB_INT = { integrasjonId: randomUUID(), integrasjonPassord: 'hub-passord' };
const ARCHIVE_INT = { integrasjonId: randomUUID(), integrasjonPassord: 'arkiv-passord' };
const example = readFileSync(
  new URL('../../schemas/fiks-arkiv-v1/examples/NyMappeMedJournalpostN1/arkivmelding.xml', import.meta.url),
  'utf8',
);
const pdf = Buffer.from(`%PDF-1.4\n${'rekvisisjon '.repeat(400)}\n%%EOF`);

let ssl: OpensslDir;
let hub: TestIdentity;
let archiveId: TestIdentity;
let tokens: TokenEndpoint;
let local: LocalFiksIo;
let hubApi: FiksIoApi;
let archiveApi: FiksIoApi;
let sender: FiksIoSender;
let receiver: FiksIoReceiver;
const inbox: ReceivedMessage[] = [];
const refusals: Refusal[] = [];
const logged: string[] = [];

async function until<T>(what: string, probe: () => T | undefined | false, attempts = 600): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const repliesTo = (meldingId: string) => inbox.filter((m) => m.svarPaMelding === meldingId);
/** Reply types in the order Fiks IO accepted them from the archive (our receiver handles several at once). */
const sentOrder = (meldingId: string) =>
  local.service.sent.filter((s) => s.svarPaMelding === meldingId).map((s) => s.meldingType);

function queueDepths(): Record<string, number> {
  const out = local.broker.ctl(['list_queues', '-q', 'name', 'messages_ready', 'messages_unacknowledged']);
  const depths: Record<string, number> = {};
  for (const line of out.trim().split('\n')) {
    const [name, ready, unacked] = line.trim().split(/\s+/);
    if (name?.startsWith('fiksio.konto.')) depths[name] = Number(ready) + Number(unacked);
  }
  return depths;
}

async function sendArkivmelding(xml: string, extra: { klientMeldingId?: string } = {}) {
  return sender.send({
    mottakerKontoId: ARCHIVE,
    meldingType: MeldingType.arkivmeldingOpprett,
    files: [
      { name: PayloadFil.arkivmelding, data: Buffer.from(xml) },
      { name: 'rekvisisjon.pdf', data: pdf },
    ],
    ttlMs: 2 * 24 * 3600 * 1000,
    klientMeldingId: extra.klientMeldingId ?? randomUUID(),
  });
}

/** The example with fresh external keys (so each test files its own mappe and journalpost). */
function freshArkivmelding(keys = { mappe: randomUUID(), journalpost: randomUUID() }): string {
  return example
    .replace(/^\uFEFF/, '')
    .replaceAll('45d947ed-8455-46e2-a04f-ee18da433fe0', keys.mappe)
    .replace('e4712424-883c-4068-9cb7-97ac679d7232', keys.journalpost);
}

beforeAll(async () => {
  requireOpenssl();
  requireRabbitMq();
  ssl = new OpensslDir();
  hub = ssl.identity('hub');
  archiveId = ssl.identity('archive');
  tokens = await startTokenEndpoint({
    'hub-client': { certificatePem: hub.certificatePem, scopes: ['ks:fiks'] },
    'archive-client': { certificatePem: archiveId.certificatePem, scopes: ['ks:fiks'] },
  });
  const mp = (clientId: string, id: TestIdentity) =>
    createMaskinportenClient({
      audience: tokens.issuer,
      tokenEndpoint: tokens.url,
      clientId,
      privateKeyPem: id.keyPem,
      certificateChainPem: id.certificatePem,
    });
  const hubTokens = mp('hub-client', hub);
  const archiveTokens = mp('archive-client', archiveId);
  local = await startLocalFiksIo({
    hub: { kontoId: HUB, certificatePem: hub.certificatePem, ...HUB_INT },
    archive: {
      kontoId: ARCHIVE,
      identity: archiveId,
      tokens: archiveTokens,
      organisasjonsnummer: '999888777',
      ...ARCHIVE_INT,
    },
    verifyToken: async (t) =>
      String((await tokens.verify(t))?.scope ?? '')
        .split(' ')
        .includes('ks:fiks'),
    dokumentlagerThresholdBytes: 200_000,
  });
  hubApi = createFiksIoApi({ apiBaseUrl: local.apiBaseUrl, tokens: hubTokens, ...HUB_INT });
  archiveApi = createFiksIoApi({ apiBaseUrl: local.apiBaseUrl, tokens: archiveTokens, ...ARCHIVE_INT });
  sender = createFiksIoSender({ api: hubApi, kontoId: HUB, signer: hub });
  receiver = createFiksIoReceiver({
    amqpUrl: local.amqpUrl,
    kontoId: HUB,
    tokens: hubTokens,
    ...HUB_INT,
    keys: [hub],
    api: hubApi,
    payload: { maxEncryptedBytes: 1024 * 1024 },
    onMessage: async (m) => {
      inbox.push(m);
    },
    onRefused: (r) => {
      refusals.push(r);
    },
    log: {
      info: (msg, extra) => logged.push(`${msg} ${JSON.stringify(extra)}`),
      warn: (msg, extra) => logged.push(`${msg} ${JSON.stringify(extra)}`),
      error: (msg, extra) => logged.push(`${msg} ${JSON.stringify(extra)}`),
    },
  });
  await receiver.start();
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  await local?.stop();
  await tokens?.close();
  ssl?.remove();
}, 60_000);

describe('Fiks Arkiv over Fiks IO, round trip through RabbitMQ', () => {
  it('finds the archive by orgnr, sends an arkivmelding, and gets mottatt then kvittering with the archive numbers', async () => {
    const konto = await hubApi.lookup({
      identifikator: 'ORG_NO.999888777',
      meldingProtokoll: FIKS_ARKIV_PROTOKOLL,
      sikkerhetsniva: 4,
    });
    expect(konto?.kontoId).toBe(ARCHIVE);

    const sent = await sendArkivmelding(freshArkivmelding());
    const replies = await until(
      'two replies',
      () => repliesTo(sent.meldingId).length >= 2 && repliesTo(sent.meldingId),
    );
    expect(replies.map((r) => r.meldingType)).toEqual([
      MeldingType.arkivmeldingOpprettMottatt,
      MeldingType.arkivmeldingOpprettKvittering,
    ]);
    expect(replies[0]?.files).toEqual([]);
    const [kvittering] = replies[1]?.files ?? [];
    expect(kvittering?.name).toBe('arkivmelding-kvittering.xml');
    expect(replies[1]?.avsenderKontoId).toBe(ARCHIVE);
    expect(replies[1]?.signer?.certificatePem).toBe(archiveId.certificatePem);

    const xml = Buffer.from(kvittering?.data ?? []).toString();
    const answer = readFiksArkivAnswer(xml);
    const [jp] = local.archive.journalposter();
    const [mappe] = local.archive.mapper();
    expect(answer).toEqual({
      kind: 'kvittering',
      existing: false,
      references: expect.objectContaining({
        journalpostSystemID: jp?.systemID,
        journalpostnummer: String(jp?.journalpostnummer),
        journalnummer: `${jp?.journalaar}/${jp?.journalsekvensnummer}`,
        saksnummer: `${mappe?.saksaar}/${mappe?.sakssekvensnummer}`,
        opprettetEllerEksisterende: 'Opprettet',
      }),
    });
    expect(jp?.dokumenter).toEqual(['rekvisisjon.pdf']);
    expect(jp?.mappeSystemID).toBe(mappe?.systemID);

    // The receipt is valid against the official kvittering XSD.
    const dir = new URL('../../schemas/fiks-arkiv-v1/', import.meta.url);
    const load = (f: string) => ({ fileName: f, contents: readFileSync(new URL(f, dir), 'utf8') });
    const result = await validateXML({
      xml: [{ fileName: 'kvittering.xml', contents: xml }],
      schema: load('no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd'),
      preload: [load('metadatakatalog.xsd'), load('feilmeldingBase.xsd')],
    });
    expect(result.errors).toEqual([]);

    // What Fiks IO delivered carried its headers: the retry id came through as a custom header.
    expect(local.service.sent.find((s) => s.meldingId === sent.meldingId)?.headere?.klientMeldingId).toBeTruthy();
    await until('empty queues', () => Object.values(queueDepths()).every((n) => n === 0));
  });

  it('a retry of the same arkivmelding is answered Eksisterende with the first numbers, and files nothing new', async () => {
    const xml = freshArkivmelding();
    const klientMeldingId = randomUUID();
    const first = await sendArkivmelding(xml, { klientMeldingId });
    const firstKvittering = await until('first kvittering', () =>
      repliesTo(first.meldingId).find((r) => r.meldingType === MeldingType.arkivmeldingOpprettKvittering),
    );
    const count = local.archive.journalposter().length;
    const retry = await sendArkivmelding(xml, { klientMeldingId });
    const retryKvittering = await until('retry kvittering', () =>
      repliesTo(retry.meldingId).find((r) => r.meldingType === MeldingType.arkivmeldingOpprettKvittering),
    );
    const a = readFiksArkivAnswer(Buffer.from(firstKvittering.files[0]?.data ?? []).toString());
    const b = readFiksArkivAnswer(Buffer.from(retryKvittering.files[0]?.data ?? []).toString());
    expect(b).toMatchObject({ kind: 'kvittering', existing: true });
    if (a.kind !== 'kvittering' || b.kind !== 'kvittering') throw new Error('not receipts');
    expect(b.references.journalpostnummer).toBe(a.references.journalpostnummer);
    expect(b.references.saksnummer).toBe(a.references.saksnummer);
    expect(local.archive.journalposter().length).toBe(count);
  });

  it('finds a reused folder with innsyn.mappe.hent by external key, and answers ikkefunnet for an unknown key', async () => {
    const keys = { mappe: randomUUID(), journalpost: randomUUID() };
    const sent = await sendArkivmelding(freshArkivmelding(keys));
    await until('kvittering', () => repliesTo(sent.meldingId).length >= 2);
    const ask = (noekkel: string) =>
      sender.send({
        mottakerKontoId: ARCHIVE,
        meldingType: MeldingType.mappeHent,
        files: [
          {
            name: PayloadFil.mappeHent,
            data: Buffer.from(mappeHentXml('Skjemaflyt', { fagsystem: 'Fiks protokoll validator', noekkel })),
          },
        ],
      });
    const found = await ask(keys.mappe);
    const answer = await until('mappe.hent result', () => repliesTo(found.meldingId)[0]);
    expect(answer.meldingType).toBe(MeldingType.mappeHentResultat);
    const mappe = local.archive.mapper().find((m) => m.key?.endsWith(keys.mappe));
    expect(readMappeHentResultat(Buffer.from(answer.files[0]?.data ?? []).toString())).toEqual({
      systemID: mappe?.systemID,
      saksnummer: `${mappe?.saksaar}/${mappe?.sakssekvensnummer}`,
      tittel: 'Test',
    });
    const missing = await ask(randomUUID());
    const none = await until('ikkefunnet', () => repliesTo(missing.meldingId)[0]);
    expect(none.meldingType).toBe(MeldingType.ikkefunnet);
    expect(readFiksArkivAnswer(Buffer.from(none.files[0]?.data ?? []).toString())).toMatchObject({
      kind: 'feil',
      type: 'ikkefunnet',
    });
  });

  it('the archive can reject, fail, stay silent, repeat itself and answer out of order', async () => {
    local.archive.injectFaults('ugyldigforespoersel');
    const rejected = await sendArkivmelding(freshArkivmelding());
    const rejection = await until('rejection', () => repliesTo(rejected.meldingId)[0]);
    expect(rejection.meldingType).toBe(MeldingType.ugyldigforespoersel);
    expect(readFiksArkivAnswer(Buffer.from(rejection.files[0]?.data ?? []).toString())).toMatchObject({
      kind: 'feil',
      type: 'ugyldigforespoersel',
    });

    local.archive.injectFaults('serverfeil');
    const failed = await sendArkivmelding(freshArkivmelding());
    await until('serverfeil', () => repliesTo(failed.meldingId).length >= 2);
    expect(sentOrder(failed.meldingId)).toEqual([MeldingType.arkivmeldingOpprettMottatt, MeldingType.serverfeil]);

    local.archive.injectFaults('outOfOrder');
    const swapped = await sendArkivmelding(freshArkivmelding());
    await until('two replies', () => repliesTo(swapped.meldingId).length >= 2);
    expect(sentOrder(swapped.meldingId)).toEqual([
      MeldingType.arkivmeldingOpprettKvittering,
      MeldingType.arkivmeldingOpprettMottatt,
    ]);

    local.archive.injectFaults('duplicateReplies');
    const twice = await sendArkivmelding(freshArkivmelding());
    await until('four replies', () => repliesTo(twice.meldingId).length >= 4);
    expect(sentOrder(twice.meldingId).filter((t) => t === MeldingType.arkivmeldingOpprettKvittering)).toHaveLength(2);

    const deliveries = local.archive.stats.deliveries;
    local.archive.injectFaults('noReply');
    const silent = await sendArkivmelding(freshArkivmelding());
    await until('the archive took it', () => local.archive.stats.deliveries > deliveries);
    await until('empty queues', () => Object.values(queueDepths()).every((n) => n === 0));
    expect(repliesTo(silent.meldingId)).toEqual([]);
  });

  it('a redelivered request (the archive crashed before ack) is filed once', async () => {
    const before = local.archive.journalposter().length;
    const redeliveries = local.archive.stats.redeliveries;
    local.archive.injectFaults('redeliver');
    const sent = await sendArkivmelding(freshArkivmelding());
    await until('kvittering', () => repliesTo(sent.meldingId).length >= 2);
    expect(local.archive.stats.redeliveries).toBe(redeliveries + 1);
    expect(local.archive.journalposter().length).toBe(before + 1);
  });

  it('a payload over the Dokumentlager threshold goes through Dokumentlager and is filed', async () => {
    const big = randomBytes(300_000);
    const sent = await sender.send({
      mottakerKontoId: ARCHIVE,
      meldingType: MeldingType.arkivmeldingOpprett,
      files: [
        { name: PayloadFil.arkivmelding, data: Buffer.from(freshArkivmelding()) },
        { name: 'rekvisisjon.pdf', data: big },
      ],
    });
    expect(sent.dokumentlagerId).toBeTruthy();
    await until('kvittering', () => repliesTo(sent.meldingId).length >= 2);
    expect(local.archive.journalposter().find((j) => j.meldingId === sent.meldingId)?.dokumenter).toEqual([
      'rekvisisjon.pdf',
    ]);
  });

  it('the local Fiks IO checks the integration: wrong password, someone else’s account, someone else’s queue', async () => {
    const wrong = createFiksIoApi({ apiBaseUrl: local.apiBaseUrl, tokens: { token: async () => 'x' }, ...HUB_INT });
    await expect(wrong.konto(ARCHIVE)).rejects.toMatchObject({ code: 'fiksio_unauthorized', status: 401 });
    await expect(
      hubApi.send({
        avsenderKontoId: ARCHIVE,
        mottakerKontoId: HUB,
        meldingType: MeldingType.arkivmeldingOpprettMottatt,
      }),
    ).rejects.toMatchObject({ code: 'fiksio_unauthorized', status: 403, retryable: false });
    const token = await createMaskinportenClient({
      audience: tokens.issuer,
      tokenEndpoint: tokens.url,
      clientId: 'hub-client',
      privateKeyPem: hub.keyPem,
      certificateChainPem: hub.certificatePem,
    }).token('ks:fiks');
    const port = new URL(local.amqpUrl).port;
    await expect(
      amqp.connect({
        hostname: '127.0.0.1',
        port: Number(port),
        username: HUB_INT.integrasjonId,
        password: `feil ${token}`,
      }),
    ).rejects.toThrow();
    const conn = await amqp.connect({
      hostname: '127.0.0.1',
      port: Number(port),
      username: HUB_INT.integrasjonId,
      password: `${HUB_INT.integrasjonPassord} ${token}`,
    });
    const ch = await conn.createChannel();
    const denied = new Promise((resolve) => ch.once('error', resolve));
    await expect(ch.get(queueName(ARCHIVE))).rejects.toThrow(/ACCESS_REFUSED/);
    await denied;
    await conn.close().catch(() => undefined);
  });
});

describe('hostile replies are refused, logged without content, acked, and the receiver goes on', () => {
  /** Sends raw bytes to the hub as the archive would, as an answer to a message of ours. */
  async function sendHostile(data: Uint8Array): Promise<string> {
    const sent = await archiveApi.send(
      {
        avsenderKontoId: ARCHIVE,
        mottakerKontoId: HUB,
        meldingType: MeldingType.arkivmeldingOpprettKvittering,
        svarPaMelding: randomUUID(),
      },
      data,
    );
    return sent.meldingId;
  }

  const kvittering = () => [{ name: PayloadFil.kvittering, data: Buffer.from('<arkivmeldingKvittering/>') }];

  async function refusalOf(meldingId: string): Promise<string> {
    const refusal = await until('refusal', () => refusals.find((r) => r.metadata.meldingId === meldingId));
    return refusal.reason;
  }

  it('a package whose manifest was changed after signing (wrong signature)', async () => {
    const zip = await packAsic(kvittering(), archiveId);
    const entries = readZip(zip).map((e) => ({ name: e.name, data: e.data }));
    const manifest = entries.find((e) => e.name === 'META-INF/ASiCManifest.xml');
    if (manifest) manifest.data = Buffer.from(Buffer.from(manifest.data).toString().replace('Rootfile="true"', ''));
    const forged = writeZip(
      entries.map((e) => ({ ...e, ...(e.name === 'mimetype' ? { method: 'store' as const } : {}) })),
    );
    expect(await refusalOf(await sendHostile(await encryptFor(forged, hub.certificate)))).toBe(
      'asic_signature_invalid',
    );
  });

  it('a package with an unknown META-INF file', async () => {
    const zip = await packAsic(kvittering(), archiveId);
    const entries = readZip(zip).map((e) => ({ name: e.name, data: e.data }));
    entries.push({ name: 'META-INF/script.js', data: Buffer.from('alert(1)') });
    const extra = writeZip(
      entries.map((e) => ({ ...e, ...(e.name === 'mimetype' ? { method: 'store' as const } : {}) })),
    );
    expect(await refusalOf(await sendHostile(await encryptFor(extra, hub.certificate)))).toBe('asic_unknown_metadata');
  });

  it('a huge payload (over the receiver limit; through Dokumentlager) is refused before decryption', async () => {
    expect(await refusalOf(await sendHostile(randomBytes(1_200_000)))).toBe('asic_too_large');
  });

  it('a zip bomb', async () => {
    const bomb = writeZip([
      { name: 'mimetype', data: Buffer.from('application/vnd.etsi.asic-e+zip'), method: 'store' },
      { name: 'arkivmelding-kvittering.xml', data: Buffer.alloc(60 * 1024 * 1024), method: 'deflate' },
    ]);
    expect(bomb.length).toBeLessThan(200_000);
    expect(await refusalOf(await sendHostile(await encryptFor(bomb, hub.certificate)))).toBe('asic_too_large');
  });

  it('a package encrypted for someone else, and a message without Fiks IO headers', async () => {
    const zip = await packAsic(kvittering(), archiveId);
    expect(await refusalOf(await sendHostile(await encryptFor(zip, archiveId.certificate)))).toBe('cms_not_for_us');
    const conn = await amqp.connect(local.broker.adminUrl);
    const ch = await conn.createConfirmChannel();
    await new Promise<void>((resolve, reject) =>
      ch.sendToQueue(queueName(HUB), Buffer.from('junk'), { headers: { type: 'x' } }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    await conn.close();
    await until('header refusal', () => refusals.find((r) => r.reason === 'header_missing:melding-id'));
  });

  it('after all that the receiver still takes valid replies, every queue is empty, and the log holds no content', async () => {
    const sent = await sendArkivmelding(freshArkivmelding());
    await until('kvittering', () => repliesTo(sent.meldingId).length >= 2);
    await until('empty queues', () => Object.values(queueDepths()).every((n) => n === 0));
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    const refusedLines = logged.filter((l) => l.startsWith('Fiks IO message refused'));
    expect(refusedLines.length).toBe(refusals.length);
    for (const line of logged) {
      expect(line).not.toContain('arkivmeldingKvittering');
      expect(line).not.toContain('Oppmålingsetaten');
    }
  });
});

describe('draining the queue (the scheduled Lambda way)', () => {
  it('takes what is waiting, acks only what was handled, and leaves a failed message in the queue', async () => {
    await receiver.close();
    const a = await sendArkivmelding(freshArkivmelding());
    const b = await sendArkivmelding(freshArkivmelding());
    // Wait until the archive has answered both (4 replies waiting in the hub's queue, nobody consuming).
    await until('replies queued', () => sentOrder(a.meldingId).length === 2 && sentOrder(b.meldingId).length === 2);
    await until('replies in the queue', () => queueDepths()[queueName(HUB)] === 4);

    let failNext = true;
    const drained: ReceivedMessage[] = [];
    const drainer = createFiksIoReceiver({
      amqpUrl: local.amqpUrl,
      kontoId: HUB,
      tokens: createMaskinportenClient({
        audience: tokens.issuer,
        tokenEndpoint: tokens.url,
        clientId: 'hub-client',
        privateKeyPem: hub.keyPem,
        certificateChainPem: hub.certificatePem,
      }),
      ...HUB_INT,
      keys: [hub],
      requeueDelayMs: 0,
      onMessage: async (m) => {
        if (failNext) {
          failNext = false;
          throw new Error('storage unavailable');
        }
        drained.push(m);
      },
    });
    try {
      const first = await drainer.drain({ deadline: Date.now() + 60_000 });
      expect(first).toEqual({ handled: 0, refused: 0, failed: 1, empty: false });
      const second = await drainer.drain({ deadline: Date.now() + 60_000 });
      expect(second).toEqual({ handled: 4, refused: 0, failed: 0, empty: true });
      expect(drained.filter((m) => m.svarPaMelding === a.meldingId || m.svarPaMelding === b.meldingId)).toHaveLength(4);
      expect(drained.some((m) => m.redelivered)).toBe(true);
      expect(queueDepths()[queueName(HUB)]).toBe(0);
    } finally {
      await drainer.close();
    }
  });
});
