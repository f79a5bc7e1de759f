/**
 * A reused folder over Fiks IO: the hub asks `innsyn.mappe.hent` by the folder's external key before it files, as
 * KS's integration tests do. The documents of that exchange against KS's official XSDs, the record rewritten to file
 * into the mappe found, and the lifecycle step between question and record (a late, repeated or crossed answer
 * changes nothing; a new round asks again).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { mappeHentResultatXml } from '../../infra/local/fiks-io/archive-system.ts';
import { type DeliveryEvent, decide, type LifecycleState, type Transition } from '../../shared/delivery/lifecycle.ts';
import {
  ArkivmeldingShapeError,
  fileIntoExistingMappe,
  mappeHentXml,
  readMappeHent,
  readMappeHentResultat,
} from '../../shared/fiks-io/fiks-arkiv.ts';
import { validateFiksArkivV1 } from '../../shared/noark/validate.ts';

const dir = new URL('../../schemas/fiks-arkiv-v1/', import.meta.url);
const load = (fileName: string) => ({ fileName, contents: readFileSync(new URL(fileName, dir), 'utf8') });

async function xsdErrors(xml: string, schema: string, preload: string[]) {
  const result = await validateXML({
    xml: [{ fileName: 'doc.xml', contents: xml }],
    schema: load(schema),
    preload: preload.map(load),
  });
  return result.errors.map((e) => e.rawMessage);
}

const example = readFileSync(new URL('examples/NyMappeMedJournalpostN1/arkivmelding.xml', dir), 'utf8').replace(
  /^\uFEFF/,
  '',
);
const key = { fagsystem: 'skjemaflyt', noekkel: 'tt-kort/12035440095' };

describe('the innsyn.mappe.hent documents, against KS’s XSDs', () => {
  it('the question by external key is a valid mappe-hent.xml, and the archive reads the key back', async () => {
    const xml = mappeHentXml('Skjemaflyt', key);
    expect(await xsdErrors(xml, 'no.ks.fiks.arkiv.v1.innsyn.mappe.hent.xsd', ['metadatakatalog.xsd'])).toEqual([]);
    expect(readMappeHent(xml)).toEqual(key);
  });

  it('the simulated archive’s answer is a valid resultat.xml, and the hub reads systemID and saksnummer', async () => {
    const xml = mappeHentResultatXml({
      systemID: '4c1f1d0e-6a55-4b5e-9d0b-2b8f3f0d6e11',
      opprettetDato: '2026-11-30T00:10:00.000Z',
      saksaar: 2026,
      sakssekvensnummer: 17,
      tittel: 'TT-kort – Åse & co',
      key: `${key.fagsystem}\u0000${key.noekkel}`,
    });
    const preload = ['arkivstruktur.xsd', 'metadatakatalog.xsd'];
    expect(await xsdErrors(xml, 'no.ks.fiks.arkiv.v1.innsyn.mappe.hent.resultat.xsd', preload)).toEqual([]);
    expect(readMappeHentResultat(xml)).toEqual({
      systemID: '4c1f1d0e-6a55-4b5e-9d0b-2b8f3f0d6e11',
      saksnummer: '2026/17',
      tittel: 'TT-kort – Åse & co',
    });
  });
});

describe('filing the journalpost into the mappe found', () => {
  it('leaves the new mappe out and points referanseForelderMappe at the systemID; still valid', async () => {
    expect((await validateFiksArkivV1(example)).valid).toBe(true);
    const xml = fileIntoExistingMappe(example, 'f3a1c2d4-0000-4000-8000-000000000017');
    expect(xml).not.toMatch(/<mappe[\s>]/);
    expect(xml).toMatch(
      /<referanseForelderMappe><systemID xmlns="[^"]+\/metadatakatalog\/v1">f3a1c2d4-0000-4000-8000-000000000017<\/systemID><\/referanseForelderMappe>/,
    );
    expect(xml).toContain('<registrering');
    expect(await validateFiksArkivV1(xml)).toEqual({ valid: true, errors: [] });
  });

  it('refuses a record it cannot rewrite (no mappe to leave out)', () => {
    const withoutMappe = example.replace(/<mappe[\s\S]*?<\/mappe>/, '');
    expect(() => fileIntoExistingMappe(withoutMappe, 'x')).toThrow(ArkivmeldingShapeError);
  });
});

describe('the lookup step in the delivery lifecycle', () => {
  const NOW = new Date('2026-11-30T00:30:00.000Z');
  const deadline = '2026-11-30T00:31:00.000Z';
  const ask: DeliveryEvent = {
    type: 'sent',
    targetName: 'Arkivet',
    messageId: 'q-1',
    receiptDeadline: deadline,
    step: 'folder-lookup',
    recipient: 'arkiv',
  };
  const queued: LifecycleState = { status: 'QUEUED', attempts: 0 };
  const apply = (state: LifecycleState, event: DeliveryEvent): LifecycleState & { transition: Transition } => {
    const decision = decide(state, event, NOW);
    if (decision.kind !== 'transition') throw new Error(`stale: ${decision.reason}`);
    const t = decision.transition;
    const next: LifecycleState = { ...state, status: t.to };
    if (t.countAttempt) next.attempts = state.attempts + 1;
    if (t.newSend) next.resends = (state.resends ?? 0) + 1;
    if (t.newRound) next.round = (state.round ?? 0) + 1;
    if (t.sent === null) delete next.sent;
    else if (t.sent) next.sent = t.sent;
    if (t.folder === null) delete next.folder;
    else if (t.folder) next.folder = t.folder;
    return { ...next, transition: t };
  };
  const answered = (messageId: string, found: boolean): DeliveryEvent => ({
    type: 'folder-looked-up',
    targetName: 'Arkivet',
    messageId,
    folder: found ? { found: true, systemID: 'm-17', saksnummer: '2026/17' } : { found: false },
  });

  it('asking is SENT without counting an attempt; the answer queues the record as a new send, keeping the folder', () => {
    const asking = apply(queued, ask);
    expect(asking).toMatchObject({ status: 'SENT', attempts: 0, sent: { messageId: 'q-1', step: 'folder-lookup' } });
    expect(asking.transition.entry.detail).toBe('Spør Arkivet om saksmappen finnes fra før, venter på svar.');
    const found = apply(asking, answered('q-1', true));
    expect(found).toMatchObject({ status: 'QUEUED', resends: 1, folder: { found: true, systemID: 'm-17' } });
    expect(found.sent).toBeUndefined();
    expect(found.transition.entry.detail).toBe(
      'Arkivet har saksmappen fra før (saksnummer 2026/17); journalposten arkiveres i den.',
    );
    const none = apply(asking, answered('q-1', false));
    expect(none).toMatchObject({ status: 'QUEUED', folder: { found: false } });
    expect(none.transition.entry.detail).toContain('den opprettes sammen med journalposten');
    // Then the record: a counted attempt.
    const sent = apply(found, { type: 'sent', targetName: 'Arkivet', messageId: 'r-1', receiptDeadline: deadline });
    expect(sent).toMatchObject({ status: 'SENT', attempts: 1, sent: { messageId: 'r-1' } });
    expect(sent.sent?.step).toBeUndefined();
  });

  it('a repeated, late or crossed answer changes nothing', () => {
    const asking = apply(queued, ask);
    const found = apply(asking, answered('q-1', true));
    // The same answer again (a duplicate reply, or a redelivered AMQP message after the write).
    expect(decide(found, answered('q-1', true), NOW).kind).toBe('stale');
    // The record is on its way: the lookup's late answer must not send it a second time.
    const sent = apply(found, { type: 'sent', targetName: 'Arkivet', messageId: 'r-1', receiptDeadline: deadline });
    expect(decide(sent, answered('q-1', false), NOW).kind).toBe('stale');
    // An answer to an earlier lookup (that one went unanswered and was asked again).
    const again = apply(queued, { ...ask, messageId: 'q-2' });
    expect(decide(again, answered('q-1', true), NOW).kind).toBe('stale');
  });

  it('no answer by the deadline asks again (no folder stored); a person’s retry forgets the folder', () => {
    const asking = apply(queued, ask);
    const overdue = apply(asking, { type: 'receipt-overdue', nextAttemptAt: deadline });
    expect(overdue).toMatchObject({ status: 'RETRYING', resends: 1 });
    expect(overdue.folder).toBeUndefined();
    const found = apply(asking, answered('q-1', true));
    const failed: LifecycleState = { ...found, status: 'FAILED' };
    const retried = apply(failed, { type: 'retried-by-person', by: { name: 'Kari' } });
    expect(retried.status).toBe('QUEUED');
    expect(retried.folder).toBeUndefined();
  });
});
