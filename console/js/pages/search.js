import { api } from '../api.js';
import { h } from '../dom.js';
import { navigate } from '../main.js';
import { deliveryTable } from '../rows.js';

/** "What happened to my application?": find a submission by the submitter's name, submissionId or trackingId. */
export async function searchPage({ municipality, query }) {
  const q = query.get('q') ?? '';
  const data = q
    ? await api('GET', '/deliveries', { query: { municipality: municipality.kommunenummer, q } })
    : undefined;
  const title = q ? `Søk: ${q}` : 'Søk';
  const form = h(
    'form',
    {
      class: 'sok',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        navigate('/sok', { q: new FormData(event.target).get('q')?.toString().trim() ?? '' });
      },
    },
    h('label', { for: 'q' }, 'Navn, innsendings-ID eller sporings-ID'),
    h(
      'p',
      { id: 'q-hjelp', class: 'hjelp' },
      `Søker i alle leveranser i ${municipality.name}. Et navn finnes på begynnelsen av fornavn eller etternavn.`,
    ),
    h(
      'div',
      { class: 'sokelinje' },
      h('input', { id: 'q', name: 'q', type: 'search', value: q, autocomplete: 'off', 'aria-describedby': 'q-hjelp' }),
      h('button', { type: 'submit' }, 'Søk'),
    ),
  );
  let result = null;
  if (data) {
    result = h(
      'section',
      { 'aria-labelledby': 'treff' },
      h('h2', { id: 'treff' }, `${data.items.length} ${data.items.length === 1 ? 'treff' : 'treff'}`),
      data.truncated ? h('p', { class: 'merknad' }, 'Mange treff: skriv mer av navnet for å snevre inn.') : null,
      data.items.length > 0
        ? deliveryTable(data.items, { caption: `Leveranser som passer «${q}»`, showStatus: true })
        : h('p', {}, 'Ingen leveranser passer søket.'),
    );
  }
  return { title, content: h('div', {}, h('h1', {}, 'Finn en innsending'), form, result) };
}
