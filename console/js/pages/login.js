import { signInUrl } from '../api.js';
import { h } from '../dom.js';

/** Sign-in goes through the municipality's identity provider; back here, on the same page, afterwards. */
export function loginPage({ message }) {
  return h(
    'div',
    { class: 'innlogging' },
    h('h1', {}, 'Logg inn'),
    message ? h('p', { class: 'feilmelding', role: 'alert' }, message) : null,
    h('p', {}, 'Logg inn med kommunens innlogging for ansatte. Du ser leveransene i kommunene du har tilgang til.'),
    h('p', {}, h('a', { class: 'knapp', id: 'logg-inn', href: signInUrl() }, 'Logg inn')),
  );
}

/** Signed in, but no group gives this person any municipality in Skjemaflyt. */
export function noAccessPage({ name, onSignOut }) {
  return h(
    'div',
    { class: 'innlogging' },
    h('h1', {}, 'Ingen tilgang'),
    h(
      'p',
      { class: 'feilmelding', role: 'alert' },
      `Du er logget inn som ${name}, men har ikke tilgang til noen kommune i Skjemaflyt.`,
    ),
    h(
      'p',
      {},
      'Tilgang gis gjennom gruppene dine i kommunens brukerkatalog. Be IT-avdelingen eller arkivleder om tilgang, og logg inn på nytt.',
    ),
    h('button', { type: 'button', onclick: onSignOut }, 'Logg ut'),
  );
}
