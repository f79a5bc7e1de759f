import { ApiError, apiFile } from '../api.js';
import { announce, h } from '../dom.js';
import { formatBytes } from '../format.js';

/** Documents the user opened on the delivery page, as text (forgotten when they leave it). */
export const opened = new Map();

/** Text types a document may be shown as, in the page (as text: never as markup). */
const TEXT_TYPES = new Set(['application/xml', 'application/json', 'text/plain', 'text/xml']);

/** One document: what it is, and (while retention keeps it) download it or show it as text; each look recorded. */
export function documentItem(id, doc, stored, refresh) {
  const key = `${id}#${doc.id}`;
  const name = `${doc.title} (${doc.filename})`;
  const text = opened.get(key);
  return h(
    'li',
    { class: 'dokument' },
    h('span', { class: 'dokument-navn' }, doc.title),
    ' ',
    h(
      'span',
      { class: 'hjelp' },
      `(${doc.filename}, ${doc.role === 'main' ? 'hoveddokument' : 'vedlegg'}, ${formatBytes(doc.size)})`,
    ),
    stored
      ? h(
          'span',
          { class: 'dokument-knapper' },
          h(
            'button',
            {
              type: 'button',
              class: 'sekundaer liten',
              id: `last-ned-${doc.id}`,
              'aria-label': `Last ned ${name}`,
              onclick: () => download(id, doc.id, doc.filename, `last-ned-${doc.id}`, refresh),
            },
            'Last ned',
          ),
          TEXT_TYPES.has(doc.contentType) && !text
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'sekundaer liten',
                  id: `vis-${doc.id}`,
                  'aria-label': `Vis ${name}`,
                  onclick: async () => {
                    try {
                      const file = await apiFile(`/deliveries/${encodeURIComponent(id)}/documents/${doc.id}`);
                      opened.set(key, await file.blob.text());
                      announce(`${doc.title} vises. At du åpnet det, er registrert i historikken.`);
                      refresh({ focusId: `innhold-${doc.id}` });
                    } catch (error) {
                      announce(`Kunne ikke åpne dokumentet: ${error.message}`);
                    }
                  },
                },
                'Vis',
              )
            : null,
        )
      : null,
    text !== undefined
      ? h('pre', { tabindex: '0', id: `innhold-${doc.id}`, 'aria-label': `Innholdet i ${doc.filename}` }, text)
      : null,
  );
}

/** Downloads a document through the admin API (the look is recorded there), then shows the history with it. */
export async function download(id, document, filename, buttonId, refresh) {
  try {
    const file = await apiFile(`/deliveries/${encodeURIComponent(id)}/documents/${document}`, {
      query: { download: '1' },
    });
    // Saved, never shown: whatever the file holds cannot run in the console's origin.
    const url = URL.createObjectURL(new Blob([file.blob], { type: 'application/octet-stream' }));
    const link = h('a', { href: url, download: filename, hidden: true });
    globalThis.document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(`${filename} er lastet ned. Nedlastingen er registrert i historikken.`);
    refresh({ focusId: buttonId });
  } catch (error) {
    announce(
      error instanceof ApiError && error.status === 404
        ? `Kunne ikke laste ned: ${error.problem?.detail ?? 'dokumentet finnes ikke lenger.'}`
        : `Kunne ikke laste ned: ${error.message}`,
    );
  }
}
