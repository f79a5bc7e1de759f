import { ApiError, api, mayRetryResolve } from '../api.js';
import { announce, h } from '../dom.js';
import { formatTime, STATUS_HELP, STATUS_LABEL } from '../format.js';
import { statusBadge } from '../rows.js';
import { correctionSection } from './correction.js';
import { documentItem, download, opened } from './documents.js';
import { revealButton } from './reveal.js';

const WAITING = new Set(['PENDING', 'QUEUED', 'SENT', 'RETRYING']);
const CLOSED = new Set(['DELIVERED', 'RESOLVED']);
const POLL_MS = 2000;

/** Fødselsnummer the user asked to see on this page (gone when they leave it). */
const shown = new Map();
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

/** One delivery: what is wrong, the submission, the actions, the history as a timeline, what was produced. */
export async function deliveryPage({ me, params, current, refresh }) {
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
      correction && mayRetryResolve(me, data.municipality.kommunenummer)
        ? correctionSection(d, correction, refresh)
        : null,
      d.status === 'RETRYING' && d.nextAttemptAt && mayRetryResolve(me, data.municipality.kommunenummer)
        ? retryNowSection(d, refresh)
        : null,
      CLOSED.has(d.status)
        ? null
        : mayRetryResolve(me, data.municipality.kommunenummer)
          ? actionsSection(d, data.explanation, refresh)
          : readOnlyNote(),
      d.status === 'RESOLVED' && mayRetryResolve(me, data.municipality.kommunenummer)
        ? reopenSection(d, refresh)
        : null,
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

/** A read-only person sees the failure and its explanation, and no buttons they may not use. */
function readOnlyNote() {
  return h(
    'section',
    { class: 'handlinger', 'aria-labelledby': 'handlinger' },
    h('h2', { id: 'handlinger' }, 'Handlinger'),
    h(
      'p',
      { class: 'hjelp' },
      'Du har lesetilgang i denne kommunen. Arkivet kan sende leveransen på nytt eller lukke den.',
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
