import { h } from '../dom.js';

/** Why someone looks at personal data: suggestions; any words of their own will do. */
const PURPOSES = [
  'Svare innbyggeren (servicetorget)',
  'Journalføre manuelt',
  'Rette feil i leveransen',
  'Kontrollere mot arkivet',
];

/**
 * A button that first asks why (the purpose is recorded with the look), then reveals. The form opens in place;
 * Escape or "Avbryt" closes it again.
 */
export function revealButton({ id, label, onPurpose }) {
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
