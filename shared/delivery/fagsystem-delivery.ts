import { mapToPayload } from '../mapping/form-type.ts';
import { fagsystemAdapterFor } from '../targets/index.ts';
import { fail } from './failures.ts';
import type { Deliverer } from './process.ts';

/** Specialist-system delivery: fill the system's payload from the form type's definition and send it. */
export const deliverToFagsystem: Deliverer = async ({ submission, target, formType, input, keep }, deps) => {
  if (target.kind !== 'fagsystem') throw fail.configuration('target', target.id, `${target.id} er ikke et fagsystem.`);
  const payload = await mapToPayload(formType, target, input);
  await keep?.(payload.body);
  const { references } = await fagsystemAdapterFor(target, deps.secrets).send({
    system: target.system,
    trackingId: submission.trackingId,
    contentType: payload.contentType,
    extension: payload.extension,
    body: payload.body,
  });
  return { kind: 'delivered', references };
};
