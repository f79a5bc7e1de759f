import { api } from '../api.js';
import { announce, h, replace } from '../dom.js';

/**
 * Correct-and-resend: new values for the fields the mapping reads, a reason, a preview of the record made with
 * them, and only then "send". The submission itself is never changed; the history keeps old and new value.
 */
export function correctionSection(d, correction, refresh) {
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
