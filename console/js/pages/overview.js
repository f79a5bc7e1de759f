import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { formatCount, formatDuration, formatTime, plural, STATUS_HELP, STATUS_LABEL } from '../format.js';

const OPEN = ['FAILED', 'RETRYING', 'SENT', 'QUEUED', 'PENDING'];
const DONE = ['DELIVERED', 'RESOLVED'];
/** How often the overview looks again (a new failure appears without reloading). */
const POLL_MS = 5000;

/** What is stuck right now: counts per status and target, and the delivery that has waited longest. */
export async function overviewPage({ municipality, current, refresh }) {
  const query = { municipality: municipality.kommunenummer };
  const [data, failures] = await Promise.all([
    api('GET', '/overview', { query }),
    api('GET', '/failures', { query: { ...query, status: 'FAILED' } }),
  ]);
  watch(query, fingerprint(data), data.counts.FAILED ?? 0, current, refresh);
  const listLink = (status, target) =>
    `#/feil?${new URLSearchParams({ status, ...(target ? { target } : {}) }).toString()}`;
  const linked = (status) => status === 'FAILED' || status === 'RETRYING';

  const cards = h(
    'ul',
    { class: 'tall' },
    [...OPEN, ...DONE].map((status) => {
      const count = data.counts[status] ?? 0;
      const label = DONE.includes(status) ? `${STATUS_LABEL[status]} siste døgn` : STATUS_LABEL[status];
      const body = [
        h('span', { class: 'tall-verdi' }, formatCount(count)),
        h('span', { class: 'tall-navn' }, label),
        h('span', { class: 'tall-hjelp' }, STATUS_HELP[status]),
      ];
      return h(
        'li',
        { class: `tall-kort status-${status}${status === 'FAILED' && count > 0 ? ' varsel' : ''}` },
        linked(status) && count > 0
          ? h('a', { class: 'tall-innhold', href: listLink(status) }, body)
          : h('div', { class: 'tall-innhold' }, body),
      );
    }),
  );

  const oldest = data.oldestWaiting;
  const waiting = oldest
    ? h(
        'p',
        {},
        h(
          'a',
          { href: `#/leveranse/${encodeURIComponent(oldest.id)}` },
          `${oldest.formTypeTitle} til ${oldest.targetName}`,
        ),
        ` har ventet i ${formatDuration(Date.parse(data.generatedAt) - Date.parse(oldest.since))} `,
        `(mottatt ${formatTime(oldest.since)}, status ${STATUS_LABEL[oldest.status]}).`,
      )
    : h('p', {}, 'Ingen leveranser venter. Alt er levert.');

  const statuses = [...OPEN, ...DONE];
  const table = h(
    'table',
    {},
    h('caption', {}, 'Leveranser per mål og status (levert og lukket: siste døgn)'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Mål'),
        statuses.map((s) => h('th', { scope: 'col', class: 'tall-kolonne' }, STATUS_LABEL[s])),
      ),
    ),
    h(
      'tbody',
      {},
      data.targets.map((target) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, target.name),
          statuses.map((s) => {
            const count = target.counts[s] ?? 0;
            return h(
              'td',
              { class: `tall-kolonne${s === 'FAILED' && count > 0 ? ' varsel' : ''}` },
              linked(s) && count > 0
                ? h(
                    'a',
                    {
                      href: listLink(s, target.id),
                      'aria-label': `${count} ${STATUS_LABEL[s].toLowerCase()} for ${target.name}`,
                    },
                    formatCount(count),
                  )
                : formatCount(count),
            );
          }),
        ),
      ),
    ),
  );

  return {
    title: `Oversikt – ${data.municipality.name}`,
    content: h(
      'div',
      {},
      h('h1', {}, `Oversikt – ${data.municipality.name}`),
      h(
        'p',
        { class: 'ingress' },
        `Slik står leveransene nå (${formatTime(data.generatedAt)}). Siden oppdateres av seg selv.`,
      ),
      data.complete ? null : h('p', { class: 'merknad' }, 'Svært mange leveranser: noen tall er minst så høye.'),
      h('section', { 'aria-labelledby': 'status-naa' }, h('h2', { id: 'status-naa' }, 'Status nå'), cards),
      h('section', { 'aria-labelledby': 'eldste' }, h('h2', { id: 'eldste' }, 'Eldste ventende leveranse'), waiting),
      causesSection(failures),
      h(
        'section',
        { 'aria-labelledby': 'per-maal' },
        h('h2', { id: 'per-maal' }, 'Per mål'),
        h('div', { class: 'tabell-ramme' }, table),
      ),
    ),
  };
}

/** What the counts say, to redraw only when something changed. */
function fingerprint(data) {
  return JSON.stringify([data.counts, data.targets, data.oldestWaiting?.id]);
}

/**
 * Looks again now and then (the counts only: the status index, cheap); redraws with the failures by cause, keeping
 * focus, when they changed, and says when new failures came.
 */
function watch(query, before, failedBefore, current, refresh) {
  setTimeout(async () => {
    if (!current()) return;
    let data;
    try {
      data = await api('GET', '/overview', { query });
    } catch {
      return watch(query, before, failedBefore, current, refresh);
    }
    if (!current()) return;
    if (fingerprint(data) === before) return watch(query, before, failedBefore, current, refresh);
    const failed = data.counts.FAILED ?? 0;
    if (failed > failedBefore) {
      announce(`${plural(failed - failedBefore, 'ny feilet leveranse', 'nye feilede leveranser')}.`);
    }
    refresh({ keepFocus: true });
  }, POLL_MS);
}

/** Failures by cause and target, with when each first failed: where to start. */
function causesSection(failures) {
  const rows = failures.groups.flatMap((g) =>
    g.targets.map((t, i) =>
      h(
        'tr',
        {},
        i === 0 ? h('th', { scope: 'row', rowspan: g.targets.length }, g.label) : null,
        h('td', {}, t.targetName),
        h(
          'td',
          { class: 'tall-kolonne varsel' },
          h(
            'a',
            {
              href: `#/feil?${new URLSearchParams({ status: 'FAILED', failureCode: g.code, target: t.target }).toString()}`,
              'aria-label': `${t.count} feilet: ${g.label}, ${t.targetName}`,
            },
            formatCount(t.count),
          ),
        ),
        h('td', { class: 'tid' }, h('time', { datetime: t.firstFailedAt }, formatTime(t.firstFailedAt))),
      ),
    ),
  );
  return h(
    'section',
    { 'aria-labelledby': 'per-aarsak' },
    h('h2', { id: 'per-aarsak' }, 'Feilet, etter årsak og mål'),
    rows.length === 0
      ? h('p', { id: 'ingen-feil' }, 'Ingen leveranser har feilet.')
      : h(
          'div',
          { class: 'tabell-ramme' },
          h(
            'table',
            { id: 'aarsak-tabell' },
            h('caption', {}, 'Feilede leveranser per årsak og mål, med når den første feilet'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Årsak'),
                h('th', { scope: 'col' }, 'Mål'),
                h('th', { scope: 'col', class: 'tall-kolonne' }, 'Antall'),
                h('th', { scope: 'col' }, 'Første feilet'),
              ),
            ),
            h('tbody', {}, rows),
          ),
        ),
  );
}
