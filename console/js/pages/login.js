import { h } from '../dom.js';

/** The admin token, pasted (locally from `npm run --silent token -- --admin <kommunenummer>`). */
export function loginPage({ message, onToken }) {
  const error = h('p', { id: 'token-feil', class: 'feltfeil', hidden: true });
  const input = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 4,
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'token-hjelp token-feil',
  });
  const submit = (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      error.textContent = 'Lim inn tokenet ditt.';
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    onToken(token);
  };
  return h(
    'div',
    { class: 'innlogging' },
    h('h1', {}, 'Logg inn'),
    message ? h('p', { class: 'feilmelding', role: 'alert' }, message) : null,
    h(
      'form',
      { onsubmit: submit, novalidate: true },
      h('label', { for: 'token' }, 'Administratortoken'),
      h(
        'p',
        { id: 'token-hjelp', class: 'hjelp' },
        'Tokenet gir tilgang til leveransene i dine kommuner. Lokalt får du et med ',
        h('code', {}, 'npm run --silent token -- --admin 3101'),
        '.',
      ),
      input,
      error,
      h('button', { type: 'submit' }, 'Logg inn'),
    ),
  );
}
