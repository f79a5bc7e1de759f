import { afterAll, describe, expect, it } from 'vitest';
import { toEFormidlingXml } from '../../shared/noark/eformidling.ts';
import { toFiksArkivV1Xml } from '../../shared/noark/fiks-arkiv-v1.ts';
import { validateArkivmeldinger } from '../../shared/noark/validate.ts';
import { createWarmValidator } from '../../shared/noark/warm-validator.ts';
import { byggesak, innkommendeSoknad, interntNotat, skjermetSoknadISak } from './fixtures.ts';

const validator = createWarmValidator();
afterAll(() => validator.close());

// The eFormidling writer needs an arkivdel or a case folder: the building case has its folder.
const records = {
  'fiks-arkiv-v1': [innkommendeSoknad(), skjermetSoknadISak(), byggesak(), interntNotat()].map(toFiksArkivV1Xml),
  eformidling: [byggesak()].map(toEFormidlingXml),
};

describe('the warm validator (one worker, wasm compiled once) judges as the one-off validator does', () => {
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
      expect(warm).toEqual(await validateArkivmeldinger(format, documents));
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
});
