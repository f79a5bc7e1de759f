import type { Principal } from '../auth/claims.ts';
import { reject } from '../domain/rejection.ts';
import { type DeliveryRecord, parseDeliveryId } from '../store/records.ts';

/**
 * Admin rights come from the person's groups or app roles, as the configuration maps them (shared/auth/staff.ts):
 * the municipalities they may see, and where they may also retry and resolve. Every admin call goes through
 * here, so a Halden admin never sees or acts on a Levanger delivery (it answers as if it did not exist).
 */
export type Admin = Extract<Principal, { kind: 'admin' }>;

export function requireAdmin(principal: Principal): Admin {
  if (principal.kind !== 'admin') throw reject.forbidden('Krever administratortilgang for kommunen.');
  return principal;
}

/** Who did it, as recorded in the history: the person's name (else their subject) and their subject. */
export function who(admin: Admin): string {
  return admin.name ?? admin.subject;
}

export function person(admin: Admin): { name: string; subject: string } {
  return { name: who(admin), subject: admin.subject };
}

/** Retry and resolve need that right in the delivery's municipality; a read-only person gets 403, nothing done. */
export function requireRetryResolve(admin: Admin, municipality: string): void {
  if (!admin.canRetryResolve.includes(municipality)) {
    throw reject.forbidden(`Du har bare lesetilgang i kommune ${municipality}: du kan ikke sende på nytt eller lukke.`);
  }
}

/** The municipality a list or bulk action is for: the one asked for (if the admin has it), or the admin's only one. */
export function municipalityFor(admin: Admin, requested: string | undefined): string {
  const municipality = requested || (admin.municipalities.length === 1 ? admin.municipalities[0] : undefined);
  if (!municipality) {
    throw reject.invalid('Velg kommune.', [
      { path: '/municipality', message: 'Velg kommune (kommunenummer): du har tilgang til flere.' },
    ]);
  }
  if (!admin.municipalities.includes(municipality)) {
    throw reject.forbidden(`Ingen administratortilgang for kommune ${municipality}.`, [
      { path: '/municipality', message: `Ingen tilgang til kommune ${municipality}.` },
    ]);
  }
  return municipality;
}

/** A delivery id: `<trackingId>.<target id>`, as the hub makes them (records.ts deliveryId). */
const DELIVERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * A delivery the admin may not see answers like a missing one. An id that cannot be one is refused before it
 * reaches the table (DynamoDB refuses a key over its size limit with an error, not an empty answer).
 */
export async function findDelivery(
  admin: Admin,
  id: string,
  store: { getDelivery(trackingId: string, targetId: string): Promise<DeliveryRecord | undefined> },
): Promise<DeliveryRecord> {
  if (!DELIVERY_ID.test(id)) {
    throw reject.invalid('Ugyldig leveranse-id.', [
      { path: '/id', message: 'En leveranse-id er <sporings-id>.<mål-id>, f.eks. fra listen over leveranser.' },
    ]);
  }
  const ref = parseDeliveryId(id);
  const delivery = ref ? await store.getDelivery(ref.trackingId, ref.targetId) : undefined;
  if (!delivery || !admin.municipalities.includes(delivery.municipality)) {
    throw reject.notFound('Ingen leveranse med denne identifikatoren.');
  }
  return delivery;
}
