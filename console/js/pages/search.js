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
      `Søker i alle leveranser i ${municipality.name}. Et navn (innsenderens eller personen skjemaet gjelder) ` +
        'finnes på begynnelsen av fornavn eller etternavn; ' +
        'en ID også på de siste tegnene (minst fire), f.eks. «…0426d5».',
    ),
    h(
      'div',
      { class: 'sokelinje' },
      h('input', { id: 'q', name: 'q', type: 'search', value: q, autocomplete: 'off', 'aria-describedby': 'q-hjelp' }),
      h('button', { type: 'submit' }, 'Søk'),
    ),
  );
  const result = h('div', { id: 'sokeresultat' }, data ? results(data) : null);
  const byNumber = nationalIdForm(municipality, (found) => {
    result.replaceChildren(results(found));
    result.querySelector('h2')?.focus();
  });
  return { title, content: h('div', {}, h('h1', {}, 'Finn en innsending'), form, byNumber, result) };
}

function results(data) {
  const found = data.submissions ?? [];
  return h(
    'section',
    { 'aria-labelledby': 'treff' },
    h('h2', { id: 'treff', tabindex: '-1' }, plural(found.length, 'innsending', 'innsendinger')),
    data.truncated ? h('p', { class: 'merknad' }, 'Mange treff: skriv mer av navnet for å snevre inn.') : null,
    found.length > 0
      ? h('ul', { class: 'treff-liste', id: 'treff-liste' }, found.map(submissionResult))
      : h('p', {}, 'Ingen innsendinger passer søket.'),
  );
}

/**
 * The search by fødselsnummer: the number goes in a POST body (never in the address, so never in a log or the
 * browser's history), with the purpose, which is recorded on every delivery found.
 */
function nationalIdForm(municipality, show) {
  const error = h('p', { class: 'feltfeil', id: 'fnr-feil', role: 'alert', hidden: true });
  const number = h('input', {
    id: 'fnr',
    name: 'nationalId',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    maxlength: 20,
    'aria-describedby': 'fnr-hjelp fnr-feil',
  });
  const purpose = h('input', {
    id: 'fnr-formaal',
    name: 'purpose',
    type: 'text',
    autocomplete: 'off',
    maxlength: 300,
    'aria-describedby': 'fnr-feil',
  });
  return h(
    'form',
    {
      class: 'sok',
      id: 'sok-fnr',
      'aria-labelledby': 'sok-fnr-tittel',
      onsubmit: async (event) => {
        event.preventDefault();
        error.hidden = true;
        try {
          const found = await api('POST', '/deliveries/search', {
            body: { municipality: municipality.kommunenummer, nationalId: number.value, purpose: purpose.value },
          });
          number.value = '';
          show(found);
        } catch (failure) {
          error.textContent = failure.problem?.errors?.map((e) => e.message).join(' ') ?? failure.message;
          error.hidden = false;
          (failure.problem?.errors?.[0]?.path === '/purpose' ? purpose : number).focus();
        }
      },
    },
    h('h2', { id: 'sok-fnr-tittel' }, 'Søk på fødselsnummer'),
    h(
      'p',
      { id: 'fnr-hjelp', class: 'hjelp' },
      'Finner innsendinger der innsenderen eller personen skjemaet gjelder (f.eks. den ansatte på et A-skjema) har ' +
        'fødselsnummeret. Søket og formålet registreres på hver leveranse som blir funnet.',
    ),
    h('label', { for: 'fnr' }, 'Fødselsnummer (11 siffer)'),
    number,
    h('label', { for: 'fnr-formaal' }, 'Formål (påkrevd, registreres)'),
    purpose,
    error,
    h('button', { type: 'submit', id: 'sok-fnr-knapp' }, 'Søk på fødselsnummer'),
  );
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
