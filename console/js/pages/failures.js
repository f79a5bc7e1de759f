import { ApiError, api } from '../api.js';
import { announce, h, replace } from '../dom.js';
import { CAUSE_LABEL, formatCount, formatDateInput, formatTime, parseDateInput, plural } from '../format.js';
import { navigate } from '../main.js';
import { deliveryRows, deliveryTable } from '../rows.js';

const STATUSES = [
  { value: 'FAILED', label: 'Feilet (trenger en person)' },
  { value: 'RETRYING', label: 'Prøver igjen (automatisk)' },
];
const OUTCOME_POLL_MS = 2000;

/**
 * The failures of the municipality, with filters (dates typed dd.mm.åååå, checked here and by the API), more on
 * demand, and the failures grouped by cause: retry one cause at a time, with the count before and the outcome after.
 */
export async function failuresPage({ municipality, query, current, refresh }) {
  const filter = {
    status: query.get('status') || 'FAILED',
    target: query.get('target') ?? '',
    formType: query.get('formType') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    q: query.get('q') ?? '',
    failureCode: query.get('failureCode') ?? '',
  };
  const statusLabel = STATUSES.find((s) => s.value === filter.status)?.label.split(' (')[0] ?? filter.status;
  const title = `${statusLabel} – ${municipality.name}`;
  // Page size: 50, or as the address says (1–100), e.g. a bookmark of a short list.
  const size = Number(query.get('limit'));
  const request = {
    municipality: municipality.kommunenummer,
    ...filter,
    limit: Number.isInteger(size) && size >= 1 && size <= 100 ? size : 50,
  };

  // Problems with the filter are shown at the field (from the API's problem, or found here first).
  const fieldErrors = {};
  if (filter.from && !/^\d{4}-\d{2}-\d{2}$/.test(filter.from)) fieldErrors.from = 'Skriv datoen som dd.mm.åååå.';
  if (filter.to && !/^\d{4}-\d{2}-\d{2}$/.test(filter.to)) fieldErrors.to = 'Skriv datoen som dd.mm.åååå.';
  let data;
  let groups;
  if (Object.keys(fieldErrors).length === 0) {
    try {
      const { failureCode: _code, ...groupFilter } = request;
      [data, groups] = await Promise.all([
        api('GET', '/deliveries', { query: request }),
        filter.status === 'FAILED' && !filter.q
          ? api('GET', '/failures', { query: { ...groupFilter, limit: undefined, q: undefined } })
          : undefined,
      ]);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 400 || !error.problem.errors?.length) throw error;
      for (const e of error.problem.errors) fieldErrors[e.path.replace(/^\//, '')] ??= e.message;
    }
  }

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
  const errorOf = (id) => (fieldErrors[id] ? h('p', { class: 'feltfeil', id: `${id}-feil` }, fieldErrors[id]) : null);
  const input = (id, label, type, value, extra = {}) =>
    h(
      'div',
      { class: 'felt' },
      h('label', { for: id }, label),
      extra.hint ? h('p', { class: 'hjelp felt-hjelp', id: `${id}-hjelp` }, extra.hint) : null,
      h('input', {
        id,
        name: id,
        type,
        value,
        ...(extra.attributes ?? {}),
        ...(fieldErrors[id] ? { 'aria-invalid': 'true' } : {}),
        'aria-describedby':
          [extra.hint ? `${id}-hjelp` : '', fieldErrors[id] ? `${id}-feil` : ''].join(' ').trim() || undefined,
      }),
      errorOf(id),
    );
  const dateAttributes = { inputmode: 'numeric', autocomplete: 'off', size: 10, maxlength: 10 };

  const form = h(
    'form',
    {
      class: 'filter',
      role: 'search',
      'aria-label': 'Filtrer leveranser',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        const values = Object.fromEntries(new FormData(event.target));
        // Dates are sent as åååå-mm-dd; what cannot be read is kept as typed, and the page says so at the field.
        for (const field of ['from', 'to']) {
          if (values[field]) values[field] = parseDateInput(values[field]) ?? values[field];
        }
        navigate('/feil', values);
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
    input('from', 'Fra dato', 'text', formatDateInput(filter.from), {
      hint: 'dd.mm.åååå',
      attributes: dateAttributes,
    }),
    input('to', 'Til dato', 'text', formatDateInput(filter.to), { hint: 'dd.mm.åååå', attributes: dateAttributes }),
    input('q', 'Navn eller innsendings-ID', 'search', filter.q, { attributes: { autocomplete: 'off' } }),
    filter.failureCode
      ? select(
          'failureCode',
          'Årsak',
          [
            { value: '', label: 'Alle årsaker' },
            { value: filter.failureCode, label: CAUSE_LABEL[filter.failureCode] ?? filter.failureCode },
          ],
          filter.failureCode,
        )
      : null,
    h('div', { class: 'felt knapper' }, h('button', { type: 'submit' }, 'Vis')),
  );

  const heading = h('h2', { id: 'resultat' });
  const tableId = 'feilliste';
  let loaded = data?.items.length ?? 0;
  let cursor = data?.nextCursor ?? null;
  const sayCount = () => {
    heading.textContent = `${formatCount(loaded)}${cursor ? '+' : ''} ${loaded === 1 ? 'leveranse' : 'leveranser'}`;
  };
  sayCount();
  const more = h(
    'button',
    {
      type: 'button',
      class: 'sekundaer',
      id: 'vis-flere',
      hidden: !cursor,
      onclick: async () => {
        more.disabled = true;
        let next;
        try {
          next = await api('GET', '/deliveries', { query: { ...request, cursor } });
        } catch (error) {
          more.disabled = false;
          announce(`Kunne ikke hente flere: ${error.message}`);
          return;
        }
        if (!current()) return;
        const rows = deliveryRows(next.items, { showStatus: false });
        document.querySelector(`#${tableId} tbody`)?.append(...rows);
        loaded += next.items.length;
        cursor = next.nextCursor;
        sayCount();
        more.hidden = !cursor;
        more.disabled = false;
        if (next.items.length === 0) {
          announce('Ingen flere leveranser.');
          heading.focus();
        } else {
          announce(
            `${plural(next.items.length, 'leveranse til er', 'leveranser til er')} lagt til i tabellen${cursor ? '' : '; det var alle'}.`,
          );
          rows[0]?.querySelector('a')?.focus();
        }
      },
    },
    'Vis flere',
  );

  const result = data
    ? h(
        'section',
        { 'aria-labelledby': 'resultat' },
        heading,
        data.truncated ? h('p', { class: 'merknad' }, 'Svært mange: bare de eldste vises.') : null,
        data.items.length > 0
          ? deliveryTable(data.items, { caption: `${statusLabel}: leveranser som passer filteret`, id: tableId })
          : h('p', {}, 'Ingen leveranser passer filteret.'),
        more,
      )
    : h(
        'p',
        { class: 'feilmelding', id: 'filterfeil' },
        'Filteret kan ikke brukes slik det står. Rett feltene som er merket.',
      );

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
      groups?.groups.length
        ? causesSection({ groups, request, refresh, current, canRetry: municipality.canRetryResolve })
        : null,
      result,
    ),
  };
}

/**
 * The failures by cause, each with how many (per target), since when, and "retry these": the count is confirmed
 * first, and the outcome ("15 levert, 5 feilet igjen") follows live while the deliveries go through.
 */
function causesSection({ groups, request, refresh, current, canRetry }) {
  const { limit: _limit, q: _q, status: _status, cursor: _cursor, failureCode: _code, ...filter } = request;
  return h(
    'section',
    { 'aria-labelledby': 'aarsaker', class: 'aarsaker' },
    h('h2', { id: 'aarsaker' }, 'Feil etter årsak'),
    groups.complete ? null : h('p', { class: 'merknad' }, 'Svært mange feil: tallene er minst så høye.'),
    h(
      'ul',
      { class: 'aarsak-liste' },
      groups.groups.map((g) => causeItem(g, filter, refresh, current, canRetry)),
    ),
  );
}

function causeItem(group, filter, refresh, current, canRetry) {
  const id = `aarsak-${group.code}`;
  const area = h('div', { class: 'masse', id: `${id}-handling` });
  const targets = group.targets.map((t) => `${t.targetName}: ${formatCount(t.count)}`).join(', ');
  const start = h(
    'button',
    {
      type: 'button',
      class: group.retryHelps ? '' : 'sekundaer',
      id: `${id}-prov`,
      'aria-describedby': `${id}-navn`,
      onclick: () => {
        replace(area, confirmBox);
        confirmBox.querySelector('button')?.focus();
      },
    },
    `Prøv igjen for ${plural(group.count, 'leveranse', 'leveranser')}`,
  );
  const confirmBox = h(
    'div',
    { class: 'bekreft', role: 'group', 'aria-labelledby': `${id}-bekreft` },
    h(
      'p',
      { id: `${id}-bekreft` },
      `${plural(group.count, 'feilet leveranse', 'feilede leveranser')} med årsaken «${group.label}» sendes på nytt.`,
      group.retryHelps
        ? ' Gjør dette når årsaken er borte, for eksempel når mottakeren er oppe igjen.'
        : ' Det hjelper bare om årsaken er rettet et annet sted (i arkivet eller i oppsettet); ellers feiler de igjen.',
    ),
    h(
      'button',
      { type: 'button', id: `${id}-ja`, onclick: () => run() },
      `Ja, send ${formatCount(group.count)} på nytt`,
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'sekundaer',
        onclick: () => {
          // A read-only person sees the causes and counts, not the button (the API would refuse them too).
          if (canRetry) replace(area, start);
          start.focus();
        },
      },
      'Avbryt',
    ),
  );
  replace(area, start);

  async function run() {
    const progress = h('progress', { id: `${id}-fremdrift`, max: group.count, value: 0 });
    const text = h('p', { id: `${id}-tekst`, class: 'fremdrift-tekst' }, 'Sender på nytt …');
    const outcome = h('p', { id: `${id}-utfall`, class: 'utfall' });
    replace(
      area,
      h('div', { class: 'fremdrift' }, h('label', { for: `${id}-fremdrift` }, 'Fremdrift'), progress, text, outcome),
    );
    announce('Sender leveransene på nytt …');
    let total;
    let done = 0;
    let cursor;
    const ids = [];
    try {
      do {
        const page = await api('POST', '/deliveries/retry', {
          body: { ...filter, failureCode: group.code, ...(cursor ? { cursor } : {}) },
        });
        total ??= page.total;
        done += page.retried;
        ids.push(...page.ids);
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
    announce(`${plural(done, 'leveranse er', 'leveranser er')} sendt på nytt. Utfallet vises her etter hvert.`);
    follow(ids, outcome, area, refresh, current);
  }
  return h(
    'li',
    { class: 'aarsak', id },
    h('p', { class: 'aarsak-navn', id: `${id}-navn` }, group.label),
    h(
      'p',
      { class: 'hjelp' },
      `${plural(group.count, 'leveranse', 'leveranser')} (${targets}). Første feilet ${formatTime(group.firstFailedAt)}.`,
      group.retryHelps ? '' : ' Å prøve igjen uten å rette noe hjelper trolig ikke.',
    ),
    h(
      'p',
      {},
      h(
        'a',
        { href: `#/feil?${new URLSearchParams({ status: 'FAILED', failureCode: group.code }).toString()}` },
        'Vis bare disse',
      ),
    ),
    area,
  );
}

/** Watches the retried deliveries until none is on its way: "15 levert, 5 feilet igjen", said once at the end. */
function follow(ids, outcome, area, refresh, current) {
  const tick = async () => {
    if (!current()) return;
    let counts;
    try {
      counts = await api('POST', '/deliveries/outcome', { body: { ids } });
    } catch {
      setTimeout(tick, OUTCOME_POLL_MS);
      return;
    }
    if (!current()) return;
    const parts = [`${formatCount(counts.delivered)} levert`, `${formatCount(counts.failed)} feilet igjen`];
    if (counts.waiting) parts.push(`${formatCount(counts.waiting)} på vei`);
    outcome.textContent = `${parts.join(', ')}.`;
    if (!counts.done) {
      setTimeout(tick, OUTCOME_POLL_MS);
      return;
    }
    announce(`Utfall: ${outcome.textContent}`);
    area.append(
      h(
        'button',
        { type: 'button', class: 'sekundaer', id: 'oppdater-listen', onclick: () => refresh() },
        'Oppdater listen',
      ),
    );
  };
  tick();
}
