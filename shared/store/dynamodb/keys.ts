/**
 * The table's key layout (single-table design), in one place:
 *   pk = SUB#<trackingId>                     sk = SUBMISSION | DELIVERY#<targetId> | FIND#<term>
 *   pk = RECEIPT#<provider>#<submissionId>    sk = RECEIPT
 *   pk = MSG#<messageId>                      sk = MSG          (a message sent, for its receipt)
 *   pk = UPLOAD#<uploadId>                    sk = UPLOAD       (a provider's announced upload)
 * and one index, byMunicipalityStatus (gsi1pk / gsi1sk), overloaded:
 *   ADMIN#<kommunenummer>#<status>  /  <last change>#<delivery id>   deliveries by municipality and status
 *   FIND#<kommunenummer>            /  <term>#<trackingId>           search entries (name words, submissionId)
 *   UNQUEUED                        /  <receivedAt>#<trackingId>     submissions whose messages are not yet queued
 * and a second index, byProviderUpdated (gsi2pk / gsi2sk), over the deliveries only:
 *   PROVIDER#<providerId>           /  <last change>#<delivery id>   the provider's feed of changes
 */
export const submissionKey = (trackingId: string) => ({ pk: `SUB#${trackingId}`, sk: 'SUBMISSION' });
export const deliveryKey = (trackingId: string, targetId: string) => ({
  pk: `SUB#${trackingId}`,
  sk: `DELIVERY#${targetId}`,
});
export const receiptKey = (providerId: string, submissionId: string) => ({
  pk: `RECEIPT#${providerId}#${submissionId}`,
  sk: 'RECEIPT',
});

/** An upload a provider announced (POST /v1/uploads). */
export const uploadKey = (uploadId: string) => ({ pk: `UPLOAD#${uploadId}`, sk: 'UPLOAD' });

/** A message sent to a target that answers later → its delivery, so the receipt finds it. */
export const sentMessageKey = (messageId: string) => ({ pk: `MSG#${messageId}`, sk: 'MSG' });

/** Index key of submissions not yet confirmed on their queues (sparse: removed once queued). */
export const UNQUEUED = 'UNQUEUED';

export const STATUS_INDEX = 'byMunicipalityStatus';

export function statusIndexKeys(municipality: string, status: string, at: string, id: string, prefix = '') {
  return { [`${prefix}gsi1pk`]: `ADMIN#${municipality}#${status}`, [`${prefix}gsi1sk`]: `${at}#${id}` };
}

export const PROVIDER_INDEX = 'byProviderUpdated';

/** A delivery's place in its provider's feed: moved to the end by every status change. */
export function providerIndexKeys(providerId: string, at: string, id: string, prefix = '') {
  return { [`${prefix}gsi2pk`]: `PROVIDER#${providerId}`, [`${prefix}gsi2sk`]: `${at}#${id}` };
}

export function searchIndexKeys(municipality: string, term: string, trackingId: string) {
  return { gsi1pk: `FIND#${municipality}`, gsi1sk: `${term}#${trackingId}` };
}

/** The index position of an item, as DynamoDB's LastEvaluatedKey would give it. */
export function indexKey(item: Record<string, unknown>): Record<string, unknown> {
  return { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
}

/** An item without the table's own attributes: the record as the domain knows it. */
export function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, ...rest } = item;
  return rest;
}
