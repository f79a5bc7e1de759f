import { ApiError, api, apiFile } from '../api.js';
import { announce, h, replace } from '../dom.js';
import { formatBytes, formatTime, STATUS_HELP, STATUS_LABEL } from '../format.js';
import { statusBadge } from '../rows.js';

const WAITING = new Set(['PENDING', 'QUEUED', 'SENT', 'RETRYING']);
const CLOSED = new Set(['DELIVERED', 'RESOLVED']);
const POLL_MS = 2000;

/** Fødselsnummer the user asked to see on this page (gone when they leave it). */
const shown = new Map();
/** Documents the user opened on this page, as text (gone when they leave it). */
const opened = new Map();
/** Screened names the user asked to see on this page (gone when they leave it). */
const names = new Map();
/** The delivery on screen; whatever was revealed for it is forgotten as soon as another page is shown. */
let onScreen;
window.addEventListener('hashchange', () => {
  if (onScreen && location.hash !== `#/leveranse/${encodeURIComponent(onScreen)}`) {
    onScreen = undefined;
    shown.clear();
    opened.clear();
    names.clear();
  }
});
window.addEventListener('pagehide', () => {
  shown.clear();
  opened.clear();
  names.clear();
});

/** Why someone looks at personal data: suggestions; any words of their own will do. */
const PURPOSES = [
  'Svare innbyggeren (servicetorget)',
  'Journalføre manuelt',
  'Rette feil i leveransen',
  'Kontrollere mot arkivet',
];

/** Text types a document may be shown as, in the page (as text: never as markup). */
const TEXT_TYPES = new Set(['application/xml', 'application/json', 'text/plain', 'text/xml']);

/** One delivery: what is wrong, the submission, the actions, the history as a timeline, what was produced. */
export async function deliveryPage({ params, current, refresh }) {
  const [id] = params;
  onScreen = id;
  for (const key of shown.keys()) if (key !== id) shown.delete(key);
  for (const key of names.keys()) if (key !== id) names.delete(key);
  for (const key of opened.keys()) if (!key.startsWith(`${id}#`)) opened.delete(key);
  let data;
  try {
    data = await api('GET', `/deliveries/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return {
        title: 'Fant ikke leveransen',
        content: h(
          'div',
          {},
          h('h1', {}, 'Fant ikke leveransen'),
          h('p', {}, 'Det finnes ingen leveranse med denne identifikatoren som du har tilgang til.'),
          h('p', {}, h('a', { href: '#/feil' }, 'Til listen over feil')),
        ),
      };
    }
    throw error;
  }
  const d = data.delivery;
  const title = `${d.formTypeTitle} til ${d.targetName}`;
  if (WAITING.has(d.status)) watch(id, d, current, refresh);
  const suggested = (data.explanation?.values ?? []).map((v) => v.field);
  const correction = data.correctable
    ? await api('GET', `/deliveries/${encodeURIComponent(id)}/correction`, {
        query: { fields: suggested.join(',') },
      })
    : undefined;

  return {
    title,
    content: h(
      'div',
      { class: 'leveranse' },
      h('p', { class: 'brodsmule' }, h('a', { href: '#/feil' }, 'Feil'), ' / ', d.submissionId ?? d.trackingId),
      h('h1', {}, title),
      h(
        'p',
        { class: 'status-linje', id: 'status-linje', tabindex: '-1' },
        'Status: ',
        statusBadge(d.status),
        h('span', { class: 'status-hjelp' }, ` ${STATUS_HELP[d.status] ?? ''}.`),
        ` Forsøk: ${d.attempts}.`,
        d.nextAttemptAt ? ` Neste forsøk: ${formatTime(d.nextAttemptAt)}.` : '',
        WAITING.has(d.status) ? h('span', { class: 'hjelp' }, ' Siden oppdateres av seg selv.') : '',
      ),
      data.explanation && !CLOSED.has(d.status) ? explanationSection(data.explanation, d) : null,
      correction ? correctionSection(d, correction, refresh) : null,
      d.status === 'RETRYING' && d.nextAttemptAt ? retryNowSection(d, refresh) : null,
      CLOSED.has(d.status) ? null : actionsSection(d, data.explanation, refresh),
      d.status === 'RESOLVED' ? reopenSection(d, refresh) : null,
      submissionSection(data, id, refresh),
      Object.keys(d.references).length > 0 ? referencesSection(d.references) : null,
      data.related.length > 0 ? relatedSection(data.related) : null,
      timelineSection(d),
      data.produced ? producedSection(data.produced, d, refresh, data.submitter.screened && !names.has(id)) : null,
    ),
  };
}

/** While the delivery waits, look again now and then; redraw (keeping focus) only when something changed. */
function watch(id, before, current, refresh) {
  setTimeout(async () => {
    if (!current()) return;
    let now;
    try {
      now = (await api('GET', `/deliveries/${encodeURIComponent(id)}`)).delivery;
    } catch {
      return watch(id, before, current, refresh);
    }
    if (!current()) return;
    if (now.status === before.status && now.updatedAt === before.updatedAt) return watch(id, before, current, refresh);
    if (now.status !== before.status) announce(`Status er nå ${STATUS_LABEL[now.status]}.`);
    refresh({ keepFocus: true });
  }, POLL_MS);
}

function explanationSection(e, d) {
  const facts = [];
  if (e.field?.formFields?.length) {
    facts.push(
      h('dt', {}, 'Felt i skjemaet'),
      h(
        'dd',
        {},
        e.field.formFields.map((f, i) => [i ? ', ' : '', h('code', {}, f)]),
      ),
    );
  }
  if (e.field?.configured) facts.push(h('dt', {}, 'Fast verdi i oppsettet'), h('dd', {}, `«${e.field.configured}»`));
  if (e.field?.element) {
    facts.push(
      h('dt', {}, d.targetKind === 'archive' ? 'Felt i arkivmeldingen' : 'Felt i meldingen'),
      h('dd', {}, h('code', {}, e.field.element)),
    );
  }
  if (e.values?.length) {
    facts.push(
      h('dt', {}, e.values.length === 1 ? 'Verdien i skjemaet' : 'Verdiene i skjemaet'),
      h(
        'dd',
        { id: 'verdier' },
        e.values.map((v, i) => [
          i ? h('br') : null,
          h('code', {}, v.field),
          ': ',
          v.value === null ? h('em', {}, 'tom') : `«${v.value}»`,
        ]),
      ),
    );
  }
  if (e.targetMessage) {
    facts.push(
      h(
        'dt',
        {},
        e.kind === 'mapping' ? 'Regelen' : d.targetKind === 'archive' ? 'Arkivets melding' : 'Mottakerens melding',
      ),
      h('dd', {}, `«${e.targetMessage}»`, e.targetErrorType ? ` (${e.targetErrorType})` : ''),
    );
  }
  return h(
    'section',
    { class: 'forklaring', 'aria-labelledby': 'hva-er-galt' },
    h('h2', { id: 'hva-er-galt' }, 'Hva er galt'),
    h(
      'div',
      { class: 'forklaring-rutenett' },
      h(
        'div',
        {},
        h('p', { class: 'oppsummering', id: 'oppsummering' }, e.summary),
        facts.length ? h('dl', { class: 'fakta' }, facts) : null,
        h('h3', {}, 'Hva gjør jeg?'),
        h('p', { id: 'raad' }, e.advice),
      ),
      h(
        'div',
        { class: 'raatekst' },
        h('h3', { id: 'feiltekst' }, 'Feilteksten slik den ble lagret'),
        h('pre', { tabindex: '0', 'aria-labelledby': 'feiltekst' }, e.raw),
      ),
    ),
  );
}

/** A delivery waiting for its next automatic attempt: try it now instead (recorded). */
function retryNowSection(d, refresh) {
  return h(
    'section',
    { class: 'handlinger', 'aria-labelledby': 'prov-naa-tittel' },
    h('h2', { id: 'prov-naa-tittel' }, 'Prøv nå'),
    h(
      'div',
      { class: 'handlinger-rutenett en' },
      h(
        'div',
        { class: 'handling' },
        h(
          'p',
          { id: 'prov-naa-hjelp', class: 'hjelp' },
          `Neste forsøk kommer av seg selv ${formatTime(d.nextAttemptAt)}. Er årsaken borte nå (mottakeren er oppe igjen), kan du prøve med en gang.`,
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'prov-naa',
            'aria-describedby': 'prov-naa-hjelp',
            onclick: async (event) => {
              event.currentTarget.disabled = true;
              try {
                await api('POST', `/deliveries/${encodeURIComponent(d.id)}/retry-now`);
                announce('Leveransen prøves nå.');
                refresh({ focusId: 'status-linje' });
              } catch (error) {
                event.target.disabled = false;
                announce(`Kunne ikke prøve nå: ${error.message}`);
              }
            },
          },
          'Prøv nå',
        ),
      ),
    ),
  );
}

/** A delivery closed by mistake: open it again, with why (recorded); it then needs a person again. */
function reopenSection(d, refresh) {
  const error = h('p', { id: 'gjenapne-feil', class: 'feltfeil', hidden: true });
  const comment = h('textarea', {
    id: 'gjenapne-kommentar',
    rows: 2,
    maxlength: 2000,
    'aria-describedby': 'gjenapne-hjelp gjenapne-feil',
  });
  return h(
    'section',
    { class: 'handlinger', 'aria-labelledby': 'gjenapne-tittel' },
    h('h2', { id: 'gjenapne-tittel' }, 'Åpne igjen'),
    h(
      'form',
      {
        class: 'handlinger-rutenett en handling',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          if (comment.value.trim().length < 3) {
            error.textContent = 'Skriv hvorfor leveransen åpnes igjen (minst 3 tegn).';
            error.hidden = false;
            comment.setAttribute('aria-invalid', 'true');
            comment.focus();
            return;
          }
          try {
            await api('POST', `/deliveries/${encodeURIComponent(d.id)}/reopen`, {
              body: { comment: comment.value.trim() },
            });
            announce('Leveransen er åpnet igjen og trenger en person.');
            refresh({ focusId: 'status-linje' });
          } catch (failure) {
            error.textContent = failure.problem?.errors?.[0]?.message ?? failure.message;
            error.hidden = false;
          }
        },
      },
      h('label', { for: 'gjenapne-kommentar' }, 'Hvorfor (påkrevd)'),
      h(
        'p',
        { id: 'gjenapne-hjelp', class: 'hjelp' },
        'Lukket ved en feil? Leveransen blir «Feilet» igjen, så den kan sendes på nytt eller rettes. Det står i historikken hvem som gjorde det.',
      ),
      comment,
      error,
      h('button', { type: 'submit', id: 'gjenapne', class: 'sekundaer' }, 'Åpne leveransen igjen'),
    ),
  );
}

function actionsSection(d, explanation, refresh) {
  const retry =
    d.status === 'FAILED'
      ? h(
          'div',
          { class: 'handling' },
          h('h3', {}, 'Send på nytt'),
          h(
            'p',
            { id: 'prov-hjelp', class: 'hjelp' },
            explanation && !explanation.retryHelps
              ? 'Sender leveransen en gang til uten endringer. Det hjelper bare når årsaken er rettet et annet sted (i arkivet eller i oppsettet); ellers gir det samme feil.'
              : 'Når årsaken er rettet, sender Skjemaflyt leveransen en gang til.',
          ),
          h(
            'button',
            {
              type: 'button',
              id: 'prov-igjen',
              'aria-describedby': 'prov-hjelp',
              onclick: async (event) => {
                event.target.disabled = true;
                try {
                  await api('POST', `/deliveries/${encodeURIComponent(d.id)}/retry`);
                  announce('Leveransen er sendt på nytt og ligger i kø.');
                  refresh({ focusId: 'status-linje' });
                } catch (error) {
                  event.target.disabled = false;
                  announce(`Kunne ikke sende på nytt: ${error.message}`);
                }
              },
            },
            'Prøv igjen',
          ),
        )
      : null;

  const error = h('p', { id: 'kommentar-feil', class: 'feltfeil', hidden: true });
  const comment = h('textarea', {
    id: 'kommentar',
    name: 'kommentar',
    rows: 3,
    maxlength: 2000,
    'aria-describedby': 'kommentar-hjelp kommentar-feil',
  });
  const resolve = h(
    'form',
    {
      class: 'handling',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const text = comment.value.trim();
        if (text.length < 3) {
          error.textContent = 'Skriv en kommentar (minst 3 tegn): hvorfor lukkes leveransen?';
          error.hidden = false;
          comment.setAttribute('aria-invalid', 'true');
          comment.focus();
          return;
        }
        try {
          await api('POST', `/deliveries/${encodeURIComponent(d.id)}/resolve`, { body: { comment: text } });
          announce('Leveransen er lukket. Kommentaren står i historikken.');
          refresh({ focusId: 'status-linje' });
        } catch (failure) {
          error.textContent = failure.problem?.errors?.[0]?.message ?? failure.message;
          error.hidden = false;
          comment.focus();
        }
      },
    },
    h('h3', {}, 'Lukk uten levering'),
    h('label', { for: 'kommentar' }, 'Kommentar (påkrevd)'),
    h(
      'p',
      { id: 'kommentar-hjelp', class: 'hjelp' },
      'For eksempel at dokumentet er journalført manuelt. Kommentaren og navnet ditt lagres i historikken.',
    ),
    comment,
    error,
    h('button', { type: 'submit', id: 'lukk', class: 'sekundaer' }, 'Lukk leveransen'),
  );
  return h(
    'section',
    { class: 'handlinger', 'aria-labelledby': 'handlinger' },
    h('h2', { id: 'handlinger' }, 'Handlinger'),
    h('div', { class: 'handlinger-rutenett' }, retry, resolve),
  );
}

function submissionSection(data, id, refresh) {
  const s = data.submission;
  const submitter = data.submitter;
  const row = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
  let nationalId = '–';
  if (shown.has(id)) {
    nationalId = h('span', { id: 'fnr', tabindex: '-1' }, shown.get(id));
  } else if (submitter.nationalIdMasked) {
    nationalId = [
      h('span', { id: 'fnr', tabindex: '-1' }, h('span', { class: 'skjult' }, 'Skjult: '), submitter.nationalIdMasked),
      ' ',
      revealButton({
        id: 'fnr',
        label: 'Vis fødselsnummer',
        onPurpose: async (purpose) => {
          const answer = await api('POST', `/deliveries/${encodeURIComponent(id)}/national-id`, { body: { purpose } });
          shown.set(id, answer.nationalId);
          announce(
            'Fødselsnummeret vises til du går fra siden. At du så det, og hvorfor, er registrert i historikken.',
          );
          refresh({ focusId: 'fnr' });
        },
      }),
    ];
  } else if (!submitter.stored) {
    nationalId = 'Ikke lenger lagret (slettet etter oppbevaringstiden)';
  }
  return h(
    'section',
    { 'aria-labelledby': 'innsending' },
    h('h2', { id: 'innsending' }, 'Innsending'),
    h(
      'dl',
      { class: 'fakta' },
      row('Innsendings-ID', s?.submissionId ?? '–'),
      row('Sporings-ID', h('code', {}, data.delivery.trackingId)),
      row('Skjema', data.delivery.formTypeTitle),
      row('Kommune', data.municipality.name),
      row('Sendt fra', s?.providerName ?? '–'),
      row('Sendt inn', s ? h('time', { datetime: s.submittedAt }, formatTime(s.submittedAt)) : '–'),
      row('Mottatt', s ? h('time', { datetime: s.receivedAt }, formatTime(s.receivedAt)) : '–'),
      row('Innsender', submitterName(submitter, id, refresh)),
      row('Fødselsnummer', nationalId),
      submitter.organisationNumber ? row('Organisasjonsnummer', submitter.organisationNumber) : null,
      row(
        'Dokumenter',
        s?.documents.length
          ? [
              h(
                'ul',
                { class: 'dokumenter', id: 'dokumenter' },
                s.documents.map((doc) => documentItem(id, doc, submitter.stored, refresh)),
              ),
              submitter.stored
                ? h(
                    'p',
                    { class: 'hjelp' },
                    'Når du åpner eller laster ned et dokument, registreres det i historikken.',
                  )
                : h('p', { class: 'hjelp' }, 'Dokumentene er slettet etter oppbevaringstiden.'),
            ]
          : '–',
      ),
    ),
  );
}

/**
 * A button that first asks why (the purpose is recorded with the look), then reveals. The form opens in place;
 * Escape or "Avbryt" closes it again.
 */
function revealButton({ id, label, onPurpose }) {
  const holder = h('span', { class: 'avslor' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'lenkeknapp',
      id: `vis-${id}`,
      'aria-describedby': `${id}-hjelp`,
      'aria-expanded': 'false',
      onclick: () => {
        button.setAttribute('aria-expanded', 'true');
        button.hidden = true;
        holder.append(form);
        input.focus();
      },
    },
    label,
  );
  const input = h('input', {
    id: `${id}-formaal`,
    type: 'text',
    list: 'formaal-forslag',
    autocomplete: 'off',
    maxlength: 300,
    'aria-describedby': `${id}-formaal-feil`,
  });
  const error = h('span', { class: 'feltfeil', id: `${id}-formaal-feil`, hidden: true });
  const close = () => {
    form.remove();
    button.hidden = false;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  };
  const form = h(
    'span',
    {
      class: 'formaal',
      onkeydown: (event) => {
        if (event.key === 'Escape') close();
      },
    },
    h('label', { for: `${id}-formaal` }, 'Formål (påkrevd, registreres)'),
    h(
      'datalist',
      { id: 'formaal-forslag' },
      PURPOSES.map((p) => h('option', { value: p })),
    ),
    input,
    error,
    h(
      'button',
      {
        type: 'button',
        class: 'liten',
        id: `${id}-vis`,
        onclick: async () => {
          if (input.value.trim().length < 3) {
            error.textContent = 'Skriv hvorfor du trenger å se det (minst 3 tegn).';
            error.hidden = false;
            input.setAttribute('aria-invalid', 'true');
            input.focus();
            return;
          }
          try {
            await onPurpose(input.value.trim());
          } catch (failure) {
            error.textContent = failure.problem?.errors?.[0]?.message ?? failure.message;
            error.hidden = false;
          }
        },
      },
      'Vis',
    ),
    h('button', { type: 'button', class: 'sekundaer liten', onclick: close }, 'Avbryt'),
  );
  holder.append(button, h('span', { id: `${id}-hjelp`, class: 'hjelp' }, ' (visningen og formålet registreres)'));
  return holder;
}

/** The submitter's name; on a screened form type (Offl. § 13, § 25) only on request, and that look recorded. */
function submitterName(submitter, id, refresh) {
  if (!submitter.screened) return submitter.name ?? '–';
  if (names.has(id)) return h('span', { id: 'navn', tabindex: '-1' }, names.get(id));
  return [
    h('span', { id: 'navn', tabindex: '-1' }, `Skjermet (${submitter.screened})`),
    ' ',
    revealButton({
      id: 'navn',
      label: 'Vis navn',
      onPurpose: async (purpose) => {
        const answer = await api('POST', `/deliveries/${encodeURIComponent(id)}/name`, { body: { purpose } });
        names.set(id, answer.name);
        announce('Navnet vises til du går fra siden. At du så det, og hvorfor, er registrert i historikken.');
        refresh({ focusId: 'navn' });
      },
    }),
  ];
}

/** One document: what it is, and (while retention keeps it) download it or show it as text; each look recorded. */
function documentItem(id, doc, stored, refresh) {
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
async function download(id, document, filename, buttonId, refresh) {
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

/**
 * Correct-and-resend: new values for the fields the mapping reads, a reason, a preview of the record made with
 * them, and only then "send". The submission itself is never changed; the history keeps old and new value.
 */
function correctionSection(d, correction, refresh) {
  const rows = h('div', { class: 'rettelser', id: 'rettelser' });
  const fields = [];
  const addField = (field, value) => {
    if (fields.some((f) => f.field === field)) return;
    const i = fields.length;
    const input = h('input', {
      id: `rett-${i}`,
      name: field,
      type: 'text',
      value: value ?? '',
      autocomplete: 'off',
      'aria-describedby': `rett-${i}-naa`,
      oninput: () => stale(),
    });
    fields.push({ field, value, input });
    rows.append(
      h(
        'div',
        { class: 'felt rettelse' },
        h('label', { for: `rett-${i}` }, 'Ny verdi for ', h('code', {}, field)),
        h(
          'p',
          { class: 'hjelp', id: `rett-${i}-naa` },
          'Nå: ',
          value === null || value === undefined ? 'tom' : `«${value}»`,
        ),
        input,
      ),
    );
    return input;
  };
  for (const f of correction.fields) addField(f.field, f.value);

  const others = correction.all.filter((f) => !fields.some((x) => x.field === f));
  const picker = h(
    'select',
    { id: 'annet-felt' },
    h('option', { value: '' }, 'Velg et felt …'),
    others.map((f) => h('option', { value: f }, f)),
  );
  const add = h(
    'div',
    { class: 'felt legg-til' },
    h('label', { for: 'annet-felt' }, 'Rett et annet felt'),
    h(
      'div',
      { class: 'sokelinje' },
      picker,
      h(
        'button',
        {
          type: 'button',
          class: 'sekundaer',
          onclick: async () => {
            const field = picker.value;
            if (!field) return;
            const form = await api('GET', `/deliveries/${encodeURIComponent(d.id)}/correction`, {
              query: { fields: field },
            });
            const value = form.fields.find((f) => f.field === field)?.value ?? null;
            picker.querySelector(`option[value="${CSS.escape(field)}"]`)?.remove();
            addField(field, value)?.focus();
            stale();
          },
        },
        'Legg til',
      ),
    ),
  );

  const reason = h('textarea', {
    id: 'begrunnelse',
    rows: 2,
    maxlength: 2000,
    'aria-describedby': 'begrunnelse-hjelp rettelse-feil',
  });
  const error = h('p', { id: 'rettelse-feil', class: 'feltfeil', hidden: true });
  const result = h('div', { id: 'forhandsvisning', class: 'forhandsvisning' });
  let previewed;

  const changes = () =>
    fields
      .map((f) => ({ field: f.field, to: f.input.value.trim(), before: f.value ?? '' }))
      .filter((c) => c.to !== c.before)
      .map(({ field, to }) => ({ field, to }));
  const showError = (message, focus) => {
    error.textContent = message;
    error.hidden = false;
    if (focus) {
      focus.setAttribute('aria-invalid', 'true');
      focus.focus();
    }
  };
  function stale() {
    if (previewed === undefined) return;
    previewed = undefined;
    replace(result, h('p', { class: 'hjelp' }, 'Verdiene er endret: forhåndsvis på nytt før du sender.'));
  }

  const previewButton = h(
    'button',
    {
      type: 'button',
      id: 'forhandsvis',
      class: 'sekundaer',
      onclick: async () => {
        error.hidden = true;
        const list = changes();
        if (list.length === 0) return showError('Endre minst én verdi før du forhåndsviser.', fields[0]?.input);
        previewButton.disabled = true;
        try {
          const preview = await api('POST', `/deliveries/${encodeURIComponent(d.id)}/correction/preview`, {
            body: { changes: list },
          });
          previewed = preview.ok ? JSON.stringify(list) : undefined;
          replace(result, previewView(d, preview, send));
          result.querySelector('h3')?.focus();
          announce(
            preview.ok
              ? 'Forhåndsvisningen er klar. Se over, og send når den er riktig.'
              : 'Forhåndsvisningen viser feil som må rettes først.',
          );
        } catch (failure) {
          showError(failure.problem?.errors?.[0]?.message ?? failure.message);
        } finally {
          previewButton.disabled = false;
        }
      },
    },
    'Forhåndsvis',
  );

  async function send(button) {
    error.hidden = true;
    const list = changes();
    if (previewed !== JSON.stringify(list)) return showError('Forhåndsvis de nye verdiene før du sender.');
    if (reason.value.trim().length < 3) {
      return showError('Skriv en begrunnelse (minst 3 tegn): hvorfor rettes verdien?', reason);
    }
    button.disabled = true;
    try {
      await api('POST', `/deliveries/${encodeURIComponent(d.id)}/correct`, {
        body: { changes: list, reason: reason.value.trim() },
      });
      announce('Rettelsen er lagret og leveransen sendt på nytt.');
      refresh({ focusId: 'status-linje' });
    } catch (failure) {
      button.disabled = false;
      showError(failure.problem?.errors?.[0]?.message ?? failure.message);
    }
  }

  const earlier = correction.corrections.length
    ? h(
        'p',
        { class: 'hjelp' },
        `Rettet før: ${correction.corrections
          .flatMap((c) => c.changes.map((ch) => `${ch.field} → «${ch.to}» (${c.by})`))
          .join('; ')}.`,
      )
    : null;

  return h(
    'section',
    { class: 'rett', 'aria-labelledby': 'rett' },
    h('h2', { id: 'rett' }, 'Rett og send på nytt'),
    h(
      'p',
      { class: 'hjelp' },
      'Rett verdiene som mottakeren ikke kan bruke, se hvordan posten blir, og send. Innsendingen selv endres ikke: ' +
        'rettelsene lagres ved siden av, og gammel og ny verdi, hvem og hvorfor står i historikken.',
    ),
    earlier,
    h(
      'form',
      { novalidate: true, id: 'rettelse', onsubmit: (event) => event.preventDefault() },
      rows,
      others.length ? add : null,
      h('label', { for: 'begrunnelse' }, 'Begrunnelse (påkrevd)'),
      h(
        'p',
        { id: 'begrunnelse-hjelp', class: 'hjelp' },
        'For eksempel hvor den riktige verdien kommer fra (vedlegget, en samtale med innsenderen).',
      ),
      reason,
      error,
      previewButton,
    ),
    result,
  );
}

function previewView(d, preview, send) {
  const what = d.targetKind === 'archive' ? 'Arkivmeldingen' : 'Meldingen';
  return h(
    'div',
    {},
    h('h3', { tabindex: '-1' }, preview.ok ? `${what} med rettelsen` : 'Rettelsen er ikke nok'),
    h(
      'ul',
      { class: 'endringer' },
      preview.changes.map((c) =>
        h('li', {}, h('code', {}, c.field), `: ${c.from === null ? 'tom' : `«${c.from}»`} → «${c.to}»`),
      ),
    ),
    preview.problems.length
      ? h(
          'ul',
          { class: 'feilmelding', id: 'forhandsvisning-feil' },
          preview.problems.map((p) => h('li', {}, p.message)),
        )
      : null,
    preview.file
      ? h(
          'details',
          { open: true },
          h('summary', {}, `Vis ${preview.file.filename}`),
          h(
            'pre',
            { tabindex: '0', 'aria-label': `${preview.file.filename} med rettelsen, fødselsnummer skjult` },
            h('code', {}, preview.file.content),
          ),
        )
      : null,
    preview.ok
      ? h(
          'button',
          { type: 'button', id: 'send-rettelse', onclick: (event) => send(event.currentTarget) },
          'Send på nytt med rettelsen',
        )
      : null,
  );
}

const REFERENCE_NAMES = {
  saksnummer: 'Saksnummer',
  journalpostnummer: 'Journalpostnummer',
  journalnummer: 'Journalnummer',
  saksmappe: 'Saksmappe',
  opprettetEllerEksisterende: 'Journalpost',
  journalpostSystemID: 'Journalpostens system-ID',
  mappeSystemID: 'Saksmappens system-ID',
  id: 'Id i fagsystemet',
  fil: 'Fil',
};

/** The archive's words for whether the record was new, in Norwegian sentences. */
const REFERENCE_VALUES = {
  opprettetEllerEksisterende: { Opprettet: 'Ny, opprettet nå', Eksisterende: 'Fantes fra før i arkivet' },
  saksmappe: { Opprettet: 'Ny, opprettet nå', Eksisterende: 'Fantes fra før i arkivet' },
};

function referencesSection(references) {
  const order = Object.keys(REFERENCE_NAMES);
  const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
  const entries = Object.entries(references).sort(([a], [b]) => rank(a) - rank(b));
  return h(
    'section',
    { 'aria-labelledby': 'referanser' },
    h('h2', { id: 'referanser' }, 'Referanser fra mottakeren'),
    h(
      'dl',
      { class: 'fakta' },
      entries.map(([key, value]) => [
        h('dt', {}, REFERENCE_NAMES[key] ?? key),
        h('dd', {}, REFERENCE_VALUES[key]?.[value] ?? value),
      ]),
    ),
  );
}

function relatedSection(related) {
  return h(
    'section',
    { 'aria-labelledby': 'andre' },
    h('h2', { id: 'andre' }, 'Andre leveranser av samme innsending'),
    h(
      'ul',
      {},
      related.map((r) =>
        h(
          'li',
          {},
          h('a', { href: `#/leveranse/${encodeURIComponent(r.id)}` }, r.targetName),
          ': ',
          statusBadge(r.status),
        ),
      ),
    ),
  );
}

/** Notes that change no status: a look at personal data, or documents deleted by the retention rule. */
function auditTitle(e) {
  if (e.action === 'documents-deleted') return 'Dokumenter slettet';
  if (e.action === 'document-opened' || e.action === 'document-downloaded') return 'Dokument åpnet';
  if (e.action === 'name-shown') return 'Innsyn i skjermet navn';
  return 'Innsyn';
}

function timelineSection(d) {
  const entries = [
    ...d.history.map((e) => ({ ...e, kind: 'status' })),
    ...d.audit.map((e) => ({ ...e, kind: 'audit' })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return h(
    'section',
    { 'aria-labelledby': 'historikk' },
    h('h2', { id: 'historikk' }, 'Historikk'),
    h(
      'ol',
      { class: 'tidslinje', id: 'tidslinje' },
      entries.map((e) =>
        h(
          'li',
          { class: `hendelse ${e.kind === 'audit' ? 'innsyn' : `status-${e.status}`}` },
          h('time', { datetime: e.at }, formatTime(e.at)),
          h(
            'p',
            { class: 'hendelse-tittel' },
            e.kind === 'audit' ? auditTitle(e) : (STATUS_LABEL[e.status] ?? e.status),
          ),
          h('p', { class: 'hendelse-tekst' }, e.detail),
          e.by ? h('p', { class: 'hvem' }, `Utført av ${e.by}`) : null,
        ),
      ),
    ),
  );
}

function producedSection(produced, d, refresh, nameHidden) {
  const label =
    d.targetKind === 'archive' ? 'Arkivmeldingen Skjemaflyt laget' : 'Meldingen Skjemaflyt laget til fagsystemet';
  const button = h(
    'button',
    {
      type: 'button',
      class: 'sekundaer',
      id: 'last-ned-produsert',
      'aria-describedby': 'produsert-hjelp',
      onclick: () => download(d.id, 'produsert', produced.filename, 'last-ned-produsert', refresh),
    },
    `Last ned ${produced.filename}`,
  );
  const code = h(
    'pre',
    { tabindex: '0', 'aria-label': `${produced.filename}, fødselsnummer skjult` },
    h('code', {}, produced.content),
  );
  return h(
    'section',
    { 'aria-labelledby': 'produsert' },
    h('h2', { id: 'produsert' }, label),
    h(
      'p',
      { class: 'hjelp', id: 'produsert-hjelp' },
      'Slik den ble laget før den ble sjekket og sendt. Fødselsnummer er skjult her; filen du laster ned er ' +
        'hel, og nedlastingen registreres i historikken.',
      produced.truncated ? ' Bare begynnelsen vises.' : '',
    ),
    nameHidden
      ? h('p', { class: 'hjelp', id: 'produsert-skjermet' }, 'Den viser det skjermede navnet: vis navnet over først.')
      : h('details', {}, h('summary', {}, `Vis ${produced.filename}`), code),
    button,
  );
}
