/**
 * The form itself as a PDF a person can read: the Hoveddokument when the provider sent no main document.
 * PDF/A-2b (pdfkit's own PDF/A support: XMP metadata with pdfaid, an OutputIntent with the sRGB IEC61966-2.1 ICC
 * profile pdfkit ships, embedded and subset DejaVu Sans fonts from the dejavu-fonts-ttf package, whose licence
 * allows embedding). Deterministic: the same form gives the same bytes (the document's dates are the submission's,
 * the file id is derived from them, fonts are subset in a fixed order, no random ids). See docs/form-types.md.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Data } from '../mapping/values.ts';

/**
 * The fonts, found when a form is first rendered (not when the module loads: only the archive delivery renders,
 * and only its Lambda bundle carries the font files; see infra/cdk/functions.ts).
 */
function fonts(): { regular: string; bold: string } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return { regular: join(dir, 'DejaVuSans.ttf'), bold: join(dir, 'DejaVuSans-Bold.ttf') };
}

export interface FormAnswer {
  /** The label the form type gives the field, else its path */
  label: string;
  value: string;
}

export interface FormPdfInput {
  /** The form's name, e.g. "Søknad om TT-kort" */
  title: string;
  submitter: string;
  /** The submission time as Norwegian local time, for people (e.g. "30.11.2026 kl. 09:15") */
  submittedAtText: string;
  /** The moment itself: the document's creation date (RFC 3339) */
  submittedAt: string;
  municipality?: string;
  reference: string;
  answers: FormAnswer[];
}

export async function renderFormPdf(input: FormPdfInput): Promise<Uint8Array> {
  const { default: PDFDocument } = await import('pdfkit');
  const { regular: REGULAR, bold: BOLD } = fonts();
  const created = new Date(input.submittedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    pdfVersion: '1.7',
    subset: 'PDF/A-2b',
    tagged: true,
    displayTitle: true,
    lang: 'nb-NO',
    compress: true,
    font: REGULAR,
    info: {
      Title: input.title,
      Author: input.submitter,
      Subject: `Innsendt skjema: ${input.title}`,
      Creator: 'Skjemaflyt',
      Producer: 'Skjemaflyt',
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  doc.font('bold').fontSize(16).text(input.title, { width });
  doc.moveDown(0.5);
  doc.font('regular').fontSize(10);
  const facts: [string, string][] = [
    ['Innsender', input.submitter],
    ['Innsendt', input.submittedAtText],
    ...(input.municipality ? ([['Kommune', input.municipality]] as [string, string][]) : []),
    ['Referanse', input.reference],
  ];
  for (const [label, value] of facts) {
    doc.font('bold').text(`${label}: `, { continued: true }).font('regular').text(value, { width });
  }
  doc.moveDown(1);
  doc.font('bold').fontSize(12).text('Svar i skjemaet', { width });
  doc.moveDown(0.5);
  for (const answer of input.answers) {
    doc.font('bold').fontSize(10).text(answer.label, { width });
    doc
      .font('regular')
      .fontSize(10)
      .text(answer.value === '' ? '–' : answer.value, { width, indent: 12 });
    doc.moveDown(0.4);
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Every answer in the form data, in the order of the form, as (path, text): leaves only; a repeated element is
 * numbered ("tilganger.tilgang (2)"); true/false read Ja/Nei. The root element's attributes (the form format) and
 * namespace declarations are left out.
 */
export function formAnswers(data: Data, labels: Record<string, string> = {}): FormAnswer[] {
  const answers: FormAnswer[] = [];
  const visit = (node: unknown, path: string[], numbered: string) => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, path, node.length > 1 ? `${numbered} ${i + 1}`.trim() : numbered);
      });
      return;
    }
    if (typeof node === 'object') {
      const entries = Object.entries(node as Record<string, unknown>);
      const textEntry = entries.find(([k]) => k === '#text');
      if (textEntry && entries.every(([k]) => k === '#text' || k.startsWith('@'))) {
        visit(textEntry[1], path, numbered);
        return;
      }
      for (const [key, value] of entries) {
        if (key.startsWith('@xmlns') || key === '#text') continue;
        // The root element's attributes describe the form format (dataFormatId …), not the answers.
        if (path.length === 0 && key.startsWith('@')) continue;
        visit(value, [...path, key], numbered);
      }
      return;
    }
    const dotted = path.join('.');
    const label = labels[dotted] ?? dotted;
    const value = String(node);
    const shown = value === 'true' ? 'Ja' : value === 'false' ? 'Nei' : value;
    answers.push({ label: numbered ? `${label} (${numbered})` : label, value: shown });
  };
  visit(data, [], '');
  return answers;
}
