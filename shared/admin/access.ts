import type { Principal } from '../auth/claims.ts';
import { reject } from '../domain/rejection.ts';
import { type DeliveryRecord, parseDeliveryId } from '../store/records.ts';

/**
 * Admin rights come from the token: the municipalities it names, nothing else. Every admin call goes through
 * here, so a Halden admin never sees or acts on a Levanger delivery (it answers as if it did not exist).
 */
export type Admin = Extract<Principal, { kind: 'admin' }>;

export function requireAdmin(principal: Principal): Admin {
  if (principal.kind !== 'admin') throw reject.forbidden('Krever administratortilgang for kommunen.');
  return principal;
}

/** Who did it, as recorded in the history: the token's name, else its subject. */
export function who(admin: Admin): string {
  return admin.name ?? admin.subject;
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
