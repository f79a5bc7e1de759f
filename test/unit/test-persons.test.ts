import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../shared/config/load.ts';
import { checkEnvelope } from '../../shared/submission/envelope.ts';
import { isValidNationalId, nationalIdKind, nationalIdProblem } from '../../shared/submission/identifiers.ts';
import { acceptsSyntheticPersons } from '../../shared/submission/test-persons.ts';
import { sample } from '../support/hub.ts';

describe('synthetic test persons', () => {
  it('tells a Tenor (month + 80) and a Dolly (month + 40) person from a real fødselsnummer and a D-number', () => {
    expect(nationalIdKind('12835410062')).toBe('tenor');
    expect(nationalIdKind('12435410160')).toBe('dolly');
    expect(nationalIdKind('12035440095')).toBe('fodselsnummer');
    // A wrong control digit is wrong whatever the month says.
    expect(nationalIdKind('12835410063')).toBeUndefined();
    expect(nationalIdKind('12935410062')).toBeUndefined();
  });

  it('are valid only where synthetic persons are accepted', () => {
    expect(isValidNationalId('12835410062')).toBe(false);
    expect(isValidNationalId('12835410062', { synthetic: true })).toBe(true);
    expect(nationalIdProblem('12835410062')).toMatchObject({ code: 'synthetic-person', register: 'Tenor' });
    expect(nationalIdProblem('12835410062', { synthetic: true })).toBeUndefined();
    expect(nationalIdProblem('12835410063', { synthetic: true })).toEqual({ code: 'control-digits' });
  });

  it('a deployment is a test environment only when its file says so', async () => {
    const config = await loadHubConfig();
    expect(acceptsSyntheticPersons(config, '9901')).toBe(true);
    expect(acceptsSyntheticPersons(config, '3101')).toBe(false);
    expect(acceptsSyntheticPersons(config, '0301')).toBe(false);
  });

  it('the envelope names the field and says why, never the number', async () => {
    const body = { ...(await sample('tt-kort-soknad')), submitter: { name: 'Kari Tenor', nationalId: '12835410062' } };
    const { errors } = checkEnvelope(body);
    expect(errors).toEqual([
      {
        path: '/submitter/nationalId',
        code: 'synthetic-person',
        message:
          'Fødselsnummeret er en syntetisk testperson (Tenor), og slike tas bare imot i et testmiljø: dette er produksjon.',
      },
    ]);
    expect(
      checkEnvelope(
        body,
        () => false,
        () => true,
      ).errors,
    ).toEqual([]);
  });
});
