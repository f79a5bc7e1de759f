import type { HttpTransport } from '../config/types.ts';
import { fail } from '../delivery/failures.ts';
import type { References } from '../store/records.ts';
import { isTransientStatus, postToTarget, type Secrets } from './http-client.ts';
import type { FagsystemShipment, FagsystemTargetAdapter } from './types.ts';

/**
 * A specialist system behind HTTP: the payload as JSON or XML, with the trackingId as Idempotency-Key so a
 * system that honours it never creates a second work order for a re-sent delivery.
 */
export class HttpFagsystem implements FagsystemTargetAdapter {
  private readonly transport: HttpTransport;
  private readonly secrets: Secrets;

  constructor(transport: HttpTransport, secrets: Secrets) {
    this.transport = transport;
    this.secrets = secrets;
  }

  async send(shipment: FagsystemShipment): Promise<{ references: References }> {
    const answer = await postToTarget(
      'fagsystem',
      this.transport,
      shipment.body,
      {
        'content-type': `${shipment.contentType}; charset=utf-8`,
        'idempotency-key': shipment.trackingId,
        'x-skjemaflyt-tracking-id': shipment.trackingId,
      },
      this.secrets,
    );
    if (answer.status >= 200 && answer.status < 300) {
      const references: References = {};
      const id = this.createdId(answer.body, answer.headers);
      if (id) references.id = id;
      return { references };
    }
    const status = answer.status;
    const detail = answer.body.slice(0, 300).replace(/\s+/g, ' ').trim();
    if (isTransientStatus(status)) {
      throw fail.unavailable('fagsystem', `Fagsystemet er ikke tilgjengelig (HTTP ${status}).`, {
        reason: 'status',
        status,
      });
    }
    if (status === 401 || status === 403) throw fail.authRefused('fagsystem', status);
    throw fail.rejected('fagsystem', `Fagsystemet avviste leveransen (HTTP ${status}).`, {
      errorType: `HTTP ${status}`,
      status,
      ...(detail ? { targetMessage: detail } : {}),
    });
  }

  private createdId(body: string, headers: Headers): string | undefined {
    const field = this.transport.idField ?? 'id';
    try {
      let node: unknown = JSON.parse(body);
      for (const step of field.split('.')) node = (node as Record<string, unknown> | undefined)?.[step];
      if (typeof node === 'string' || typeof node === 'number') return String(node);
    } catch {
      // Not JSON: fall back to the Location header.
    }
    return headers.get('location')?.split('/').filter(Boolean).at(-1);
  }
}
