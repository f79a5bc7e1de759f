import type { Principal } from '../auth/claims.ts';
import { producedFile, producedKey } from '../delivery/produced.ts';
import { reject } from '../domain/rejection.ts';
import { findDelivery, requireAdmin, who } from './access.ts';
import type { AdminDeps } from './deliveries.ts';

/**
 * A submission's documents (the main PDF, the attachments) and what the hub produced for a target (the
 * arkivmelding, the payload), opened or downloaded by a person with the right, for as long as the retention
 * rule keeps them. Each look is recorded on the delivery before the bytes go out (who, when, what), like a look
 * at a fødselsnummer.
 */

/** `0`, `1` …: the submission's documents in order; `produsert`: what the hub made for this delivery's target. */
export const PRODUCED = 'produsert';

export interface OpenedFile {
  filename: string;
  /** What the browser is told; anything not on the inline list is served as a download of opaque bytes */
  contentType: string;
  inline: boolean;
  body: Uint8Array;
}

/** Types a browser may show in a tab (under a CSP sandbox); everything else is only ever downloaded. */
const INLINE_TYPES = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/plain',
  'application/xml',
  'application/json',
]);

export async function openDocument(
  principal: Principal,
  id: string,
  document: string,
  params: { download?: string | undefined },
  deps: AdminDeps,
): Promise<OpenedFile> {
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  const download = params.download !== undefined && params.download !== 'false' && params.download !== '0';
  let file: { filename: string; contentType: string; key: string; what: string };
  if (document === PRODUCED) {
    let target: ReturnType<AdminDeps['registry']['target']>;
    try {
      target = deps.registry.target(delivery.target);
    } catch {
      throw reject.notFound('Målet er ikke lenger satt opp; det som ble laget for det, kan ikke vises.');
    }
    const produced = producedFile(target);
    file = {
      ...produced,
      key: producedKey(delivery.trackingId, target),
      what: target.kind === 'archive' ? `arkivmeldingen (${produced.filename})` : `meldingen (${produced.filename})`,
    };
  } else {
    const index = /^(0|[1-9]\d{0,3})$/.test(document) ? Number(document) : Number.NaN;
    const found = Number.isNaN(index) ? undefined : await deps.store.get(delivery.trackingId);
    const stored = found?.submission.documents[index];
    if (!stored) {
      throw reject.notFound('Innsendingen har ikke noe dokument med dette nummeret.');
    }
    file = {
      filename: stored.filename,
      contentType: stored.contentType,
      key: stored.key,
      what: `${stored.role === 'main' ? 'hoveddokumentet' : 'vedlegget'} «${stored.title}» (${stored.filename})`,
    };
  }
  const body = await readOptional(deps, file.key);
  if (!body) {
    throw reject.notFound('Dokumentet er ikke lenger lagret (slettet etter oppbevaringstiden), eller ble aldri laget.');
  }
  const inline = !download && INLINE_TYPES.has(file.contentType);
  await deps.store.recordAudit(delivery, {
    at: (deps.now ?? (() => new Date()))().toISOString(),
    by: who(admin),
    bySubject: admin.subject,
    action: inline ? 'document-opened' : 'document-downloaded',
    detail: `${inline ? 'Åpnet' : 'Lastet ned'} ${file.what}.`,
  });
  return {
    filename: file.filename,
    contentType: inline ? file.contentType : 'application/octet-stream',
    inline,
    body,
  };
}

/**
 * The response headers for a document: named for saving (RFC 6266, with the UTF-8 name in filename*), never
 * sniffed into something else, never cached, and shown (when inline) in a sandbox: no script, no form, no
 * same-origin access to the console, whatever the file holds.
 */
export function documentHeaders(file: OpenedFile): Record<string, string> {
  const ascii = file.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(file.filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return {
    'content-type': file.contentType.startsWith('text/') ? `${file.contentType}; charset=utf-8` : file.contentType,
    'content-disposition': `${file.inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** An object that may be gone (the retention rule deletes documents) or never made. */
export async function readOptional(deps: Pick<AdminDeps, 'documents'>, key: string): Promise<Uint8Array | undefined> {
  try {
    return await deps.documents.get(key);
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw error;
  }
}
