/**
 * The documents the mapping is measured on: 10,000 distinct TT-kort submissions (seeded, so every run maps the same
 * ones), each as the hub's delivery sees it (envelope, stored documents, trackingId, time of receipt) and as the
 * XSLT baseline gets it (one XML document carrying the same facts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { osloTime } from '../../shared/mapping/dates.ts';
import { storedDocuments } from '../../shared/mapping/preview.ts';
import type { StoredDocument, SubmissionEnvelope } from '../../shared/submission/types.ts';

export const SAMPLES_DIR = resolve(import.meta.dirname, '../../test/fixtures/samples');

/** What one archive delivery maps: the envelope as stored (no attachment bytes) and the documents' metadata. */
export interface MappingCase {
  trackingId: string;
  receivedAt: string;
  envelope: Omit<SubmissionEnvelope, 'attachments'>;
  documents: StoredDocument[];
}

/** A small seeded generator (LCG), so the documents are the same in every run. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FORNAVN = ['Åse Marie', 'Ola', 'Kari', 'Jørgen', 'Siri Æsa', 'Bjørn', 'Ingrid', 'Håkon', 'Nils Petter', 'Liv'];
const ETTERNAVN = ['Østby-Lærum', 'Sæther', 'Ødegård', 'Nordmann', 'Aas', 'Bråten', 'Haugen', 'Kværnes', 'Lie'];
const GATER = ['Storgata', 'Tistedalsgata', 'Kirkegata', 'Præstegårdsveien', 'Øvre Tøyen', 'Bryggeveien'];
const STEDER: [string, string][] = [
  ['1771', 'Halden'],
  ['1772', 'Halden'],
  ['1787', 'Berg i Østfold'],
  ['0150', 'Oslo'],
];
const HJELPEMIDLER = ['rullator', 'elektrisk rullestol', 'krykker', 'manuell rullestol', 'førerhund'];
const BEGRUNNELSER = [
  'Har MS & kan ikke gå > 50 meter. Trenger transport til fysioterapi 2x/uke.',
  'Synshemmet, kan ikke bruke buss alene.',
  'Etter hofteoperasjon <6 mnd> siden: "kan ikke stå" på holdeplass.',
  'Kronisk hjertesvikt; blir andpusten etter få meter.',
];

/** A valid fødselsnummer (both mod-11 control digits) from the generator. */
function fodselsnummer(rnd: () => number): string {
  for (;;) {
    const day = 1 + Math.floor(rnd() * 28);
    const month = 1 + Math.floor(rnd() * 12);
    const year = Math.floor(rnd() * 100);
    const individ = Math.floor(rnd() * 500);
    const digits = [
      ...`${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(year).padStart(2, '0')}`,
      ...String(individ).padStart(3, '0'),
    ].map(Number);
    const control = (weights: number[]) => {
      const k = 11 - (weights.reduce((sum, w, i) => sum + w * (digits[i] as number), 0) % 11);
      return k === 11 ? 0 : k;
    };
    const k1 = control([3, 7, 6, 1, 8, 9, 4, 5, 2]);
    if (k1 === 10) continue;
    digits.push(k1);
    const k2 = control([5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    if (k2 === 10) continue;
    digits.push(k2);
    return digits.join('');
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

function hex(rnd: () => number, bytes: number): string {
  return createHash('sha256')
    .update(String(rnd()))
    .digest('hex')
    .slice(0, bytes * 2);
}

function uuid(rnd: () => number): string {
  const h = hex(rnd, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `count` distinct TT-kort submissions: names with æøå, valid fødselsnummer, 2–3 documents, times across the year. */
export function ttKortCases(count: number, seed = 20261124): MappingCase[] {
  const rnd = random(seed);
  const cases: MappingCase[] = [];
  for (let i = 0; i < count; i++) {
    const fnr = fodselsnummer(rnd);
    const fornavn = pick(rnd, FORNAVN);
    const etternavn = pick(rnd, ETTERNAVN);
    const [postnummer, poststed] = pick(rnd, STEDER);
    const hjelpemidler = HJELPEMIDLER.filter(() => rnd() < 0.4);
    const submitted = new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 365 * 86400) * 1000);
    const received = new Date(submitted.getTime() + Math.floor(rnd() * 5000));
    const content = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<melding dataFormatProvider="SERES" dataFormatId="7001" dataFormatVersion="1.0" skjema="tt-kort-soknad">',
      '  <soker>',
      `    <fodselsnummer>${fnr}</fodselsnummer>`,
      `    <fornavn>${escapeXml(fornavn)}</fornavn>`,
      `    <etternavn>${escapeXml(etternavn)}</etternavn>`,
      '    <adresse>',
      `      <gateadresse>${escapeXml(`${pick(rnd, GATER)} ${1 + Math.floor(rnd() * 120)}`)}</gateadresse>`,
      `      <postnummer>${postnummer}</postnummer>`,
      `      <poststed>${escapeXml(poststed)}</poststed>`,
      '    </adresse>',
      `    <telefon>+47 9${String(Math.floor(rnd() * 1e7)).padStart(7, '0')}</telefon>`,
      `    <epost>soker${i}@example.no</epost>`,
      '  </soker>',
      '  <behov>',
      `    <varighet>${rnd() < 0.7 ? 'varig' : 'midlertidig'}</varighet>`,
      '    <forflytningshjelpemidler>',
      ...hjelpemidler.map((h) => `      <hjelpemiddel>${escapeXml(h)}</hjelpemiddel>`),
      '    </forflytningshjelpemidler>',
      `    <kanBrukeKollektivtransport>${rnd() < 0.2}</kanBrukeKollektivtransport>`,
      rnd() < 0.5
        ? `    <begrunnelse><![CDATA[${pick(rnd, BEGRUNNELSER)}]]></begrunnelse>`
        : `    <begrunnelse>${escapeXml(pick(rnd, BEGRUNNELSER))}</begrunnelse>`,
      '  </behov>',
      '  <legeerklaeringVedlagt>true</legeerklaeringVedlagt>',
      '  <samtykke>true</samtykke>',
      '</melding>',
      '',
    ].join('\n');
    const kinds: Pick<StoredDocument, 'filename' | 'role' | 'title'>[] = [
      { filename: 'soknad-tt-kort.pdf', role: 'main', title: 'Søknad om TT-kort' },
      { filename: `Legeerklæring ${etternavn}.pdf`, role: 'attachment', title: 'Legeerklæring' },
      ...(rnd() < 0.3 ? [{ filename: 'Vedtak fra NAV (kopi).pdf', role: 'attachment' as const, title: 'Vedtak' }] : []),
    ];
    const documents: StoredDocument[] = kinds.map((d, n) => ({
      ...d,
      contentType: 'application/pdf',
      key: `submissions/${i}/${n}`,
      size: 500 + Math.floor(rnd() * 500_000),
      sha256: hex(rnd, 32),
    }));
    cases.push({
      trackingId: uuid(rnd),
      receivedAt: received.toISOString(),
      envelope: {
        submissionId: `bench-${i}`,
        formType: 'tt-kort-soknad',
        municipality: '3101',
        submittedAt: osloTime(submitted).dateTime,
        submitter: { name: `${fornavn} ${etternavn}`, nationalId: fnr, email: `soker${i}@example.no` },
        formData: { contentType: 'application/xml', content },
      },
      documents,
    });
  }
  return cases;
}

/** The same facts as one XML document, as an integration platform would hand them to its XSLT. */
export function xsltInput(c: MappingCase): string {
  const attr = (name: string, value: string | number) => ` ${name}="${escapeXml(String(value))}"`;
  const documents = c.documents.map(
    (d) =>
      `    <dokument${attr('role', d.role)}${attr('filename', d.filename)}${attr('contentType', d.contentType)}` +
      `${attr('title', d.title)}${attr('size', d.size)}${attr('sha256', d.sha256)}/>\n`,
  );
  const form = c.envelope.formData.content.replace(/^<\?xml[^>]*\?>\s*/, '');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<innsending${attr('trackingId', c.trackingId)}${attr('submittedAt', c.envelope.submittedAt)}` +
    `${attr('receivedAt', c.receivedAt)}>\n  <dokumenter>\n${documents.join('')}  </dokumenter>\n${form}</innsending>\n`
  );
}

/** A demo sample as a mapping case (the same document each time, with its own trackingId). */
export async function sampleCases(formType: string, count: number): Promise<MappingCase[]> {
  const sample = JSON.parse(await readFile(join(SAMPLES_DIR, `${formType}.json`), 'utf8')) as SubmissionEnvelope;
  const { attachments = [], ...envelope } = sample;
  const documents = storedDocuments({ attachments }, (n) => `submissions/sample/${n}`);
  const rnd = random(count);
  return Array.from({ length: count }, () => ({
    trackingId: uuid(rnd),
    receivedAt: new Date(Date.parse(envelope.submittedAt) + 2000).toISOString(),
    envelope,
    documents,
  }));
}
