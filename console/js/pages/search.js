import { api } from '../api.js';
import { h } from '../dom.js';
import { formatTime, plural } from '../format.js';
import { navigate } from '../main.js';
import { statusBadge } from '../rows.js';

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
      `Søker i alle leveranser i ${municipality.name}. Et navn finnes på begynnelsen av fornavn eller etternavn; ` +
        'en ID også på de siste tegnene (minst fire), f.eks. «…0426d5».',
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
    const found = data.submissions ?? [];
    result = h(
      'section',
      { 'aria-labelledby': 'treff' },
      h('h2', { id: 'treff' }, plural(found.length, 'innsending', 'innsendinger')),
      data.truncated ? h('p', { class: 'merknad' }, 'Mange treff: skriv mer av navnet for å snevre inn.') : null,
      found.length > 0
        ? h('ul', { class: 'treff-liste', id: 'treff-liste' }, found.map(submissionResult))
        : h('p', {}, 'Ingen innsendinger passer søket.'),
    );
  }
  return { title, content: h('div', {}, h('h1', {}, 'Finn en innsending'), form, result) };
}

/** One submission found, with each of its deliveries and where it stands. */
function submissionResult(s) {
  const headingId = `treff-${s.trackingId}`;
  return h(
    'li',
    { class: 'treff' },
    h('h3', { id: headingId }, `${s.formTypeTitle}: ${s.submissionId ?? s.trackingId}`),
    h(
      'p',
      { class: 'hjelp' },
      'Innsender: ',
      s.screened ? h('span', { class: 'skjermet' }, 'Skjermet') : (s.submitterName ?? '–'),
      ' · mottatt ',
      h('time', { datetime: s.receivedAt }, formatTime(s.receivedAt)),
      ' · sporings-ID ',
      h('code', {}, s.trackingId),
    ),
    h(
      'ul',
      { class: 'treff-leveranser' },
      s.deliveries.map((d) =>
        h(
          'li',
          {},
          h('a', { href: `#/leveranse/${encodeURIComponent(d.id)}` }, `${d.targetName}`),
          ' ',
          statusBadge(d.status),
          d.problem && d.status !== 'DELIVERED' ? h('span', { class: 'hjelp' }, ` ${d.problem}`) : null,
        ),
      ),
    ),
  );
}
