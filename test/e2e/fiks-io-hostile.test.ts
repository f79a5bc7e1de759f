/**
 * Hostile replies against the running hub: while a delivery waits for the archive's answer (the archive system is
 * stopped, so nothing real comes), the hub's Fiks IO queue gets a reply from another account than the archive, a
 * forged signature, an unknown META-INF file, a reply to a message the hub never sent, a huge payload and a zip
 * bomb. Each is refused and logged, acked (the queue ends empty), and the delivery stays exactly where it was; when
 * the archive comes back, the delivery completes with the archive's own numbers.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedArchive } from '../../infra/local/fiks-io/archive-system.ts';
import { generateTestIdentity } from '../../infra/local/fiks-io/certificates.ts';
import type { LocalFiksIo } from '../../infra/local/fiks-io/index.ts';
import { requireRabbitMq } from '../../infra/local/fiks-io/rabbitmq.ts';
import { packAsic } from '../../shared/fiks-io/asic.ts';
import { encryptFor, type KeyPairIdentity, readCertificate } from '../../shared/fiks-io/cms.ts';
import { feilmeldingXml, MeldingType, PayloadFil } from '../../shared/fiks-io/fiks-arkiv.ts';
import { queueName } from '../../shared/fiks-io/receiver.ts';
import { readZip, writeZip } from '../../shared/fiks-io/zip.ts';
import { fiksIoTestConfig } from '../support/fiks-io-config.ts';
import { sample, testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let local: LocalFiksIo;
let archive: SimulatedArchive;
let stranger: KeyPairIdentity;
const logged: string[] = [];
let restoreWrite: (() => void) | undefined;

/** Halden's hub account and the archive's (config-fiks-io/halden.json). */
const HUB = '5d1f3c62-7a0e-4b8e-9a57-1c3e0d2b4f10';
const ARCHIVE = '9b2e6f4a-1d3c-4b8e-a7f5-0c6d2e9b1a84';
/** Long enough that no deadline passes while the hostile replies are read: the delivery must not move at all. */
const RECEIPT_TIMEOUT_SECONDS = 120;

beforeAll(async () => {
  requireRabbitMq();
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  t = await testHub(undefined, { configPath: await fiksIoTestConfig(RECEIPT_TIMEOUT_SECONDS) });
  if (!t.hub.fiksIo) throw new Error('the hub did not start the local Fiks IO');
  local = t.hub.fiksIo;
  archive = local.archive;
  stranger = await generateTestIdentity('Noen andre', 'Ukjent virksomhet');
}, 180_000);

/**
 * The hub's log lines, as written (test/support/captured-output.ts keeps them from the terminal, per test): the
 * functions' loggers write info to stdout and warnings to stderr.
 */
function listen(): void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (originals[i] as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  });
  restoreWrite = () => {
    streams.forEach((stream, i) => {
      if (originals[i]) stream.write = originals[i];
    });
  };
}

afterAll(async () => {
  restoreWrite?.();
  await t?.hub.stop();
});

async function hubCertificate() {
  const response = await fetch(`${local.apiBaseUrl}/fiks-io/katalog/api/v1/kontoer/${HUB}/offentligNokkel`);
  return readCertificate(((await response.json()) as { nokkel: string }).nokkel);
}

/** Puts a message in the hub's queue as Fiks IO would deliver it (Fiks IO sets `avsender-id`, not the sender). */
async function deliverToHub(headers: Record<string, string>, body: Uint8Array): Promise<string> {
  const meldingId = randomUUID();
  const conn = await amqp.connect(local.broker.adminUrl);
  try {
    const ch = await conn.createConfirmChannel();
    await new Promise<void>((resolve, reject) =>
      ch.sendToQueue(
        queueName(HUB),
        Buffer.from(body),
        { persistent: true, headers: { 'melding-id': meldingId, ...headers } },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  } finally {
    await conn.close();
  }
  return meldingId;
}

function hubQueueDepth(): number {
  const out = local.broker.ctl(['list_queues', '-q', 'name', 'messages_ready', 'messages_unacknowledged']);
  const line = out.split('\n').find((l) => l.trim().startsWith(queueName(HUB)));
  const [, ready, unacked] = line?.trim().split(/\s+/) ?? [];
  return Number(ready ?? 0) + Number(unacked ?? 0);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false) {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const staffDelivery = async (id: string) => {
  const response = await t.admin('GET', `/deliveries/${encodeURIComponent(id)}`);
  expect(response.status).toBe(200);
  return response.body.delivery;
};

const logLines = (meldingId: string) => logged.filter((l) => l.includes(meldingId));

describe('hostile replies to a waiting delivery are refused, logged, acked, and move nothing', () => {
  it('every kind is refused; the delivery is untouched; the real answer still completes it', async () => {
    listen();
    await archive.close();
    const sentBefore = local.service.sent.length;
    const body = await sample('tt-kort-soknad');
    body.submissionId = 'fiendtlige-svar';
    const posted = await t.post(body, 'eskjema');
    expect(posted.status).toBe(202);
    const trackingId = posted.body.trackingId as string;
    // The hub's first message for it: the lookup of the person's folder, waiting in the stopped archive's queue.
    const question = await until('the hub asked the archive', () =>
      local.service.sent.slice(sentBefore).find((s) => s.avsenderKontoId === HUB),
    );
    expect(question.meldingType).toBe(MeldingType.mappeHent);
    const waiting = await until('the delivery waits for the answer', async () => {
      const [d] = (await t.status(trackingId)).body.deliveries;
      return d?.status === 'SENT' && (await staffDelivery(d.id));
    });
    const before = { status: waiting.status, history: waiting.history, references: waiting.references };

    const recipient = await hubCertificate();
    const seal = async (files: { name: string; data: Buffer }[], signer: KeyPairIdentity) =>
      encryptFor(await packAsic(files, signer), recipient);
    const folderAnswer = [
      {
        name: PayloadFil.mappeHentResultat,
        data: Buffer.from(
          '<mappeHentResultat xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/mappe/hent/resultat/v1"' +
            ' xmlns:a="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivstruktur/v1"><saksmappe>' +
            '<a:systemID>stjalet-mappe</a:systemID><a:saksaar>1999</a:saksaar><a:sakssekvensnummer>666</a:sakssekvensnummer>' +
            '</saksmappe></mappeHentResultat>',
        ),
      },
    ];
    const replyTo = (svarTil: string, avsender: string, type: string = MeldingType.mappeHentResultat) => ({
      'avsender-id': avsender,
      type,
      'svar-til': svarTil,
    });
    const repack = async (change: (entries: { name: string; data: Uint8Array }[]) => void) => {
      const entries = readZip(await packAsic(folderAnswer, stranger)).map((e) => ({ name: e.name, data: e.data }));
      change(entries);
      return writeZip(entries.map((e) => ({ ...e, ...(e.name === 'mimetype' ? { method: 'store' as const } : {}) })));
    };

    const hostile: Record<string, string> = {};
    // 1. Another account answers the hub's real question (valid package, signed by its own certificate).
    hostile['another account'] = await deliverToHub(
      replyTo(question.meldingId, randomUUID()),
      await seal(folderAnswer, stranger),
    );
    // …and with an error that would fail the delivery.
    hostile['another account, ugyldigforespoersel'] = await deliverToHub(
      replyTo(question.meldingId, randomUUID(), MeldingType.ugyldigforespoersel),
      await seal([{ name: PayloadFil.feilmelding, data: Buffer.from('<ugyldigforespoersel/>') }], stranger),
    );
    // 2. In the archive's name, a manifest changed after signing.
    hostile['wrong signature'] = await deliverToHub(
      replyTo(question.meldingId, ARCHIVE),
      await encryptFor(
        await repack((entries) => {
          const manifest = entries.find((e) => e.name === 'META-INF/ASiCManifest.xml');
          if (manifest)
            manifest.data = Buffer.from(Buffer.from(manifest.data).toString().replace('Rootfile="true"', ''));
        }),
        recipient,
      ),
    );
    // 3. An unknown META-INF file.
    hostile['unknown META-INF file'] = await deliverToHub(
      replyTo(question.meldingId, ARCHIVE),
      await encryptFor(
        await repack((entries) => entries.push({ name: 'META-INF/script.js', data: Buffer.from('alert(1)') })),
        recipient,
      ),
    );
    // 4. A reply to a message the hub never sent.
    hostile['never sent'] = await deliverToHub(replyTo(randomUUID(), ARCHIVE), await seal(folderAnswer, stranger));
    // 5. A huge payload (over the receiver's 64 MiB limit), refused before decryption.
    hostile['huge payload'] = await deliverToHub(
      replyTo(question.meldingId, ARCHIVE),
      Buffer.alloc(65 * 1024 * 1024, 1),
    );
    // 6. A zip bomb: a small package that inflates past the limit.
    const bomb = writeZip([
      { name: 'mimetype', data: Buffer.from('application/vnd.etsi.asic-e+zip'), method: 'store' },
      { name: PayloadFil.mappeHentResultat, data: Buffer.alloc(32 * 1024 * 1024), method: 'deflate' },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    hostile['zip bomb'] = await deliverToHub(replyTo(question.meldingId, ARCHIVE), await encryptFor(bomb, recipient));

    // Every one acked: nothing left in the hub's queue.
    await until('the hub’s queue is empty', () => hubQueueDepth() === 0);
    const expected: Record<string, RegExp> = {
      'another account': /"outcome":"refused"/,
      'another account, ugyldigforespoersel': /"outcome":"refused"/,
      'wrong signature': /Fiks IO message refused.*asic_signature_invalid/,
      'unknown META-INF file': /Fiks IO message refused.*asic_unknown_metadata/,
      'never sent': /"outcome":"unknown"/,
      'huge payload': /Fiks IO message refused.*asic_too_large/,
      'zip bomb': /Fiks IO message refused.*asic_too_large/,
    };
    for (const [kind, meldingId] of Object.entries(hostile)) {
      const lines = await until(`the hub’s log line for ${kind}`, () => {
        const found = logLines(meldingId);
        return found.some((l) => expected[kind]?.test(l)) && found;
      });
      expect(lines.join(''), kind).not.toContain('Archive reply recorded');
    }
    // The refused-by-sender lines name the accounts, not the content.
    expect(logged.join('')).not.toContain('stjalet-mappe');

    // The delivery has not moved: same status, same history, no references from the hostile answers.
    const after = await staffDelivery(waiting.id);
    expect({ status: after.status, history: after.history, references: after.references }).toEqual(before);

    // The archive comes back and answers the question; the delivery completes with its own numbers.
    await archive.start();
    const done = await until('delivered', async () => {
      const s = (await t.status(trackingId)).body;
      return s.status === 'DELIVERED' && s;
    });
    expect(done.deliveries[0].references.saksnummer).not.toBe('1999/666');
    const journalposter = archive.journalposter().filter((j) => j.key?.includes(trackingId));
    expect(journalposter).toHaveLength(1);
  }, 180_000);

  it('a repeated ikkefunnet to a lookup already answered changes nothing (it is no rejection of the record)', async () => {
    await archive.close();
    const sentBefore = local.service.sent.length;
    const body = await sample('tt-kort-soknad');
    body.submissionId = 'gjentatt-ikkefunnet';
    // A person with no folder yet.
    const text = JSON.stringify(body).replaceAll('12035440095', '15068010095');
    const posted = await t.post(JSON.parse(text), 'eskjema');
    expect(posted.status).toBe(202);
    const trackingId = posted.body.trackingId as string;
    const question = await until('the hub asked the archive', () =>
      local.service.sent.slice(sentBefore).find((s) => s.avsenderKontoId === HUB),
    );
    expect(question.meldingType).toBe(MeldingType.mappeHent);
    await until('the delivery waits for the answer', async () => {
      const [d] = (await t.status(trackingId)).body.deliveries;
      return d?.status === 'SENT';
    });
    const recipient = await hubCertificate();
    const ikkefunnet = async () =>
      deliverToHub(
        { 'avsender-id': ARCHIVE, type: MeldingType.ikkefunnet, 'svar-til': question.meldingId },
        await encryptFor(
          await packAsic(
            [{ name: PayloadFil.feilmelding, data: Buffer.from(feilmeldingXml('ikkefunnet', 'f-1', 'Ingen mappe')) }],
            stranger,
          ),
          recipient,
        ),
      );
    await ikkefunnet();
    // The answer moves it on: the record (with the new folder) goes to the archive, which is still away.
    const record = await until('the record is sent', () =>
      local.service.sent
        .slice(sentBefore)
        .find((s) => s.avsenderKontoId === HUB && s.meldingType === MeldingType.arkivmeldingOpprett),
    );
    await until('the delivery waits for the receipt', async () => {
      const [d] = (await t.status(trackingId)).body.deliveries;
      return d?.status === 'SENT' && (await staffDelivery(d.id)).history.length >= 4 && d;
    });
    const repeated = await ikkefunnet();
    await until('the repeat is read', () => logLines(repeated).some((l) => /"outcome":"stale"/.test(l)));
    const [waiting] = (await t.status(trackingId)).body.deliveries;
    expect(waiting.status).toBe('SENT');
    const history = (await staffDelivery(waiting.id)).history.map((h: { detail: string }) => h.detail).join('\n');
    expect(history).toContain('har ingen saksmappe for dette ennå');
    expect(history).not.toContain('ikkefunnet');

    await archive.start();
    const done = await until('delivered', async () => {
      const s = (await t.status(trackingId)).body;
      return s.status === 'DELIVERED' && s;
    });
    expect(done.deliveries[0].references.journalpostnummer).toBeDefined();
    expect(archive.journalposter().filter((j) => j.key?.includes(trackingId))).toHaveLength(1);
    expect(archive.journalposter().find((j) => j.meldingId === record.meldingId)).toBeDefined();
  }, 180_000);
});
