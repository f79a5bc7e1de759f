import { h } from './dom.js';
import { formatTime, STATUS_LABEL } from './format.js';

export function statusBadge(status) {
  return h('span', { class: `status status-${status}` }, STATUS_LABEL[status] ?? status);
}

/** Rows of deliveries: the submissionId links to the detail page (unique, so every link says where it goes). */
export function deliveryRows(items, { showStatus }) {
  return items.map((d) =>
    h(
      'tr',
      {},
      h(
        'th',
        { scope: 'row' },
        h('a', { href: `#/leveranse/${encodeURIComponent(d.id)}` }, d.submissionId ?? d.trackingId),
      ),
      h('td', {}, d.formTypeTitle),
      h('td', {}, d.targetName),
      h('td', {}, d.screened ? h('span', { class: 'skjermet' }, 'Skjermet') : (d.submitterName ?? '–')),
      showStatus ? h('td', {}, statusBadge(d.status)) : null,
      h('td', { class: 'problem' }, d.problem ?? (d.lastError ? d.lastError : '–')),
      h('td', { class: 'tall-kolonne' }, String(d.attempts)),
      h(
        'td',
        { class: 'tid' },
        d.firstFailedAt ? h('time', { datetime: d.firstFailedAt }, formatTime(d.firstFailedAt)) : '–',
      ),
      h('td', { class: 'tid' }, h('time', { datetime: d.updatedAt }, formatTime(d.updatedAt))),
    ),
  );
}

export function deliveryTable(items, { caption, showStatus = false, id }) {
  return h(
    'div',
    { class: 'tabell-ramme' },
    h(
      'table',
      { class: 'leveranser', ...(id ? { id } : {}) },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Innsending'),
          h('th', { scope: 'col' }, 'Skjema'),
          h('th', { scope: 'col' }, 'Mål'),
          h('th', { scope: 'col' }, 'Innsender'),
          showStatus ? h('th', { scope: 'col' }, 'Status') : null,
          h('th', { scope: 'col' }, 'Hva er galt'),
          h('th', { scope: 'col', class: 'tall-kolonne' }, 'Forsøk'),
          h('th', { scope: 'col' }, 'Første feil'),
          h('th', { scope: 'col' }, 'Sist endret'),
        ),
      ),
      h('tbody', {}, deliveryRows(items, { showStatus })),
    ),
  );
}
