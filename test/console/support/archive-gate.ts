import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * In front of the fake archive: refuses every arkivmelding of one form type the way a real archive does
 * (Fiks Arkiv `ugyldigforespoersel`, HTTP 400: a permanent failure) and passes everything else on. `fix()`
 * is the archive's people mending the cause.
 */
export async function startArchiveGate(upstream: string) {
  let broken: string | undefined;
  /** Records holding this text are refused with that message, whatever the form type (a value the archive rejects) */
  const refusals: { text: string; message: string }[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (broken && body.includes(`skjemaflyt/${broken}<`)) {
      res.writeHead(400, { 'content-type': 'application/xml; charset=utf-8' });
      res.end(ugyldigforespoersel('Mottakers postnummer mangler på korrespondansepart'));
      return;
    }
    const refused = refusals.find((r) => body.includes(r.text));
    if (refused) {
      res.writeHead(400, { 'content-type': 'application/xml; charset=utf-8' });
      res.end(ugyldigforespoersel(refused.message));
      return;
    }
    const answer = await fetch(upstream, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
      ) as Record<string, string>,
      body,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/xml' });
    res.end(await answer.text());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/arkivmelding`,
    /** Refuse this form type's records from now on */
    breakFormType(formType: string) {
      broken = formType;
    },
    fix() {
      broken = undefined;
    },
    /** Refuse every record that holds `text` (e.g. a postnummer that does not exist), with the archive's words */
    refuseContaining(text: string, message: string) {
      refusals.push({ text, message });
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function ugyldigforespoersel(message: string): string {
  const ns = 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1';
  const feil = 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1';
  return `<?xml version="1.0" encoding="utf-8"?>
<ugyldigforespoersel xmlns="${ns}" xmlns:f="${feil}"><f:feilId>${randomUUID()}</f:feilId><f:feilmelding>${message}</f:feilmelding></ugyldigforespoersel>`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
