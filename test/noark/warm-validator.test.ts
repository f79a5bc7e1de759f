import { afterAll, describe, expect, it } from 'vitest';
import { toEFormidlingXml } from '../../shared/noark/eformidling.ts';
import { toFiksArkivV1Xml } from '../../shared/noark/fiks-arkiv-v1.ts';
import { validateWithFreshWorker } from '../../shared/noark/fresh-validator.ts';
import { validateArkivmelding } from '../../shared/noark/validate.ts';
import { createWarmValidator, ValidatorTimeoutError } from '../../shared/noark/warm-validator.ts';
import { byggesak, innkommendeSoknad, interntNotat, skjermetSoknadISak } from './fixtures.ts';

const validator = createWarmValidator();
afterAll(() => validator.close());

/** xmllint-wasm's own one-off validation: what the warm worker must agree with. */
const oneOff = validateWithFreshWorker;

// The eFormidling writer needs an arkivdel or a case folder: the building case has its folder.
const records = {
  'fiks-arkiv-v1': [innkommendeSoknad(), skjermetSoknadISak(), byggesak(), interntNotat()].map(toFiksArkivV1Xml),
  eformidling: [byggesak()].map(toEFormidlingXml),
};

describe("the warm validator (one worker, wasm compiled once) judges as xmllint-wasm's one-off validation does", () => {
  it.each(['fiks-arkiv-v1', 'eformidling'] as const)(
    '%s: valid records, an element the XSD does not have, XML that is not well-formed',
    async (format) => {
      const valid = records[format];
      // An element the schema does not have, first in the root; and a document cut off in the middle.
      const unexpected = (valid[0] ?? '').replace(/(<arkivmelding[^>]*>)/, '$1<ukjent>x</ukjent>');
      const cutOff = (valid[1] ?? '').slice(0, 400);
      const documents = [...valid, unexpected, cutOff];

      const warm = await validator.validate(format, documents);
      expect(warm.map((r) => r.valid)).toEqual([...valid.map(() => true), false, false]);
      expect(warm).toEqual(await oneOff(format, documents));
    },
  );

  it('gives each document of many calls, some at once, its own answer', async () => {
    const xml = toFiksArkivV1Xml(innkommendeSoknad());
    const broken = xml.replace('<system>', '<systemet>').replace('</system>', '</systemet>');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => validator.validate('fiks-arkiv-v1', [i % 3 === 0 ? broken : xml])),
    );
    expect(answers.map(([r]) => r?.valid)).toEqual(Array.from({ length: 12 }, (_, i) => i % 3 !== 0));
  });

  it('the delivery path: documents asked for while a run is going share the next run, each with its own answer', async () => {
    const xml = toFiksArkivV1Xml(innkommendeSoknad());
    const broken = xml.replace('<system>', '<systemet>').replace('</system>', '</systemet>');
    const documents = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? broken : xml));
    const answers = await Promise.all(documents.map((d) => validateArkivmelding('fiks-arkiv-v1', d)));
    expect(answers.map((r) => r.valid)).toEqual(documents.map((d) => d === xml));
    // The broken one is named by its own line, not by the position it had in a shared run.
    const reference = (await oneOff('fiks-arkiv-v1', [broken]))[0];
    expect(answers[3]).toEqual(reference);
    expect(reference?.errors[0]?.message).toMatch(/systemet/);
  });

  it('gives up on a run that takes too long with a retryable error, and the next run gets a fresh worker', async () => {
    const xml = toFiksArkivV1Xml(innkommendeSoknad());
    const options = { runTimeoutMs: 1 };
    const validator = createWarmValidator(options);
    try {
      // The first run starts the worker and compiles the wasm: far longer than 1 ms.
      const [first, second] = await Promise.allSettled([
        validator.validate('fiks-arkiv-v1', [xml]),
        validator.validate('fiks-arkiv-v1', [xml]),
      ]);
      expect(first.status === 'rejected' && first.reason).toBeInstanceOf(ValidatorTimeoutError);
      expect(second.status === 'rejected' && second.reason).toBeInstanceOf(ValidatorTimeoutError);
      // With room again, the same validator answers: a new worker, untouched by the old one's exit.
      options.runTimeoutMs = 30_000;
      const answers = await Promise.all([0, 1, 2].map(() => validator.validate('fiks-arkiv-v1', [xml])));
      expect(answers.map(([r]) => r?.valid)).toEqual([true, true, true]);
    } finally {
      await validator.close();
    }
  });
});
