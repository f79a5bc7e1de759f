import { api } from '../api.js';
import { announce, h, replace } from '../dom.js';
import { formatCount } from '../format.js';
import { navigate } from '../main.js';
import { deliveryRows, deliveryTable } from '../rows.js';

const STATUSES = [
  { value: 'FAILED', label: 'Feilet (trenger en person)' },
  { value: 'RETRYING', label: 'Prøver igjen (automatisk)' },
];

/** The failures of the municipality, with filters, more on demand, and "retry all that match" after an outage. */
export async function failuresPage({ municipality, query, current, refresh }) {
  const filter = {
    status: query.get('status') || 'FAILED',
    target: query.get('target') ?? '',
    formType: query.get('formType') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    q: query.get('q') ?? '',
  };
  const request = { municipality: municipality.kommunenummer, ...filter, limit: 50 };
  const data = await api('GET', '/deliveries', { query: request });
  const statusLabel = STATUSES.find((s) => s.value === filter.status)?.label.split(' (')[0] ?? filter.status;
  const title = `${statusLabel} – ${municipality.name}`;

  const select = (id, label, options, value) =>
    h(
      'div',
      { class: 'felt' },
      h('label', { for: id }, label),
      h(
        'select',
        { id, name: id },
        options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
      ),
    );
  const input = (id, label, type, value, extra = {}) =>
    h('div', { class: 'felt' }, h('label', { for: id }, label), h('input', { id, name: id, type, value, ...extra }));

  const form = h(
    'form',
    {
      class: 'filter',
      role: 'search',
      'aria-label': 'Filtrer leveranser',
      onsubmit: (event) => {
        event.preventDefault();
        navigate('/feil', Object.fromEntries(new FormData(event.target)));
      },
    },
    select('status', 'Status', STATUSES, filter.status),
    select(
      'target',
      'Mål',
      [{ value: '', label: 'Alle mål' }, ...municipality.targets.map((t) => ({ value: t.id, label: t.name }))],
      filter.target,
    ),
    select(
      'formType',
      'Skjema',
      [{ value: '', label: 'Alle skjema' }, ...municipality.formTypes.map((f) => ({ value: f.id, label: f.title }))],
      filter.formType,
    ),
    input('from', 'Fra dato', 'date', filter.from),
    input('to', 'Til dato', 'date', filter.to),
    input('q', 'Navn eller innsendings-ID', 'search', filter.q, { autocomplete: 'off' }),
    h('div', { class: 'felt knapper' }, h('button', { type: 'submit' }, 'Vis')),
  );

  const count = `${formatCount(data.items.length)}${data.nextCursor ? '+' : ''}`;
  const tableId = 'feilliste';
  let cursor = data.nextCursor;
  const more = h(
    'button',
    {
      type: 'button',
      class: 'sekundaer',
      hidden: !cursor,
      onclick: async () => {
        more.disabled = true;
        const next = await api('GET', '/deliveries', { query: { ...request, cursor } });
        if (!current()) return;
        const rows = deliveryRows(next.items, { showStatus: false });
        document.querySelector(`#${tableId} tbody`).append(...rows);
        cursor = next.nextCursor;
        more.hidden = !cursor;
        more.disabled = false;
        announce(`${next.items.length} leveranser til er lagt til i tabellen.`);
        rows[0]?.querySelector('a')?.focus();
      },
    },
    'Vis flere',
  );

  const bulk =
    filter.status === 'FAILED' && data.items.length > 0 && !filter.q && municipality.canRetryResolve
      ? retryAllSection({ request, refresh, current })
      : null;

  return {
    title,
    content: h(
      'div',
      {},
      h('h1', {}, title),
      h(
        'p',
        { class: 'ingress' },
        filter.status === 'FAILED'
          ? 'Leveranser Skjemaflyt har gitt opp. Åpne en for å se hva som er galt, rett årsaken, og prøv igjen eller lukk den.'
          : 'Leveranser der et forsøk har feilet. Skjemaflyt prøver igjen selv; de havner her under «Feilet» om alle forsøk feiler.',
      ),
      form,
      h(
        'section',
        { 'aria-labelledby': 'resultat' },
        h('h2', { id: 'resultat' }, `${count} ${data.items.length === 1 ? 'leveranse' : 'leveranser'}`),
        bulk,
        data.items.length > 0
          ? deliveryTable(data.items, { caption: `${statusLabel}: leveranser som passer filteret`, id: tableId })
          : h('p', {}, 'Ingen leveranser passer filteret.'),
        more,
      ),
    ),
  };
}

/** Retry every FAILED delivery matching the filter, page by page, with progress; confirmed first. */
function retryAllSection({ request, refresh, current }) {
  const { limit: _limit, q: _q, status: _status, ...filter } = request;
  const area = h('div', { class: 'masse' });
  const start = h(
    'button',
    {
      type: 'button',
      id: 'prov-alle',
      onclick: () => {
        replace(area, confirmBox);
        confirmBox.querySelector('button')?.focus();
      },
    },
    'Prøv igjen for alle som passer filteret',
  );
  const confirmBox = h(
    'div',
    { class: 'bekreft', role: 'group', 'aria-labelledby': 'bekreft-tekst' },
    h(
      'p',
      { id: 'bekreft-tekst' },
      'Alle feilede leveranser som passer filteret sendes på nytt. Gjør dette når årsaken er rettet, for eksempel når arkivet er oppe igjen.',
    ),
    h('button', { type: 'button', id: 'bekreft-alle', onclick: () => run() }, 'Ja, prøv igjen for alle'),
    h(
      'button',
      {
        type: 'button',
        class: 'sekundaer',
        onclick: () => {
          replace(area, start);
          start.focus();
        },
      },
      'Avbryt',
    ),
  );
  replace(area, start);

  async function run() {
    const progress = h('progress', { id: 'fremdrift', max: 1, value: 0 });
    const text = h('p', { id: 'fremdrift-tekst' }, 'Sender på nytt …');
    replace(area, h('div', { class: 'fremdrift' }, h('label', { for: 'fremdrift' }, 'Fremdrift'), progress, text));
    announce('Sender leveransene på nytt …');
    let total;
    let done = 0;
    let cursor;
    try {
      do {
        const page = await api('POST', '/deliveries/retry', { body: { ...filter, ...(cursor ? { cursor } : {}) } });
        total ??= page.total;
        done += page.retried;
        cursor = page.nextCursor;
        progress.max = Math.max(total ?? 0, done, 1);
        progress.value = done;
        text.textContent = `Sendt på nytt: ${formatCount(done)} av ${formatCount(total ?? done)}`;
      } while (cursor);
    } catch (error) {
      text.textContent = `Stoppet etter ${formatCount(done)}: ${error.message}`;
      announce(text.textContent);
      return;
    }
    announce(`${formatCount(done)} ${done === 1 ? 'leveranse er' : 'leveranser er'} sendt på nytt.`);
    if (current())
      area.append(h('button', { type: 'button', class: 'sekundaer', onclick: refresh }, 'Oppdater listen'));
  }
  return area;
}
