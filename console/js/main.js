import { ApiError, api, loadSession, session, signOut, whenUnauthorised } from './api.js';
import { announce, h, replace } from './dom.js';
import { deliveryPage } from './pages/delivery.js';
import { failuresPage } from './pages/failures.js';
import { loginPage, noAccessPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { searchPage } from './pages/search.js';

/**
 * The console: a few pages behind hash routes, rendered from the admin API with plain DOM. Every route change
 * sets the page title and moves focus to the page's heading, so screen reader users hear where they are.
 */

const ROUTES = [
  { pattern: /^\/?$/, page: overviewPage, key: 'oversikt' },
  { pattern: /^\/feil$/, page: failuresPage, key: 'feil' },
  { pattern: /^\/sok$/, page: searchPage, key: 'sok' },
  { pattern: /^\/leveranse\/([^/]+)$/, page: deliveryPage, key: 'feil' },
];

const main = document.getElementById('innhold');
let me;
let firstRender = true;
let generation = 0;

/** The current hash route: path and query, e.g. #/feil?status=FAILED */
function currentRoute() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const [path, query = ''] = hash.split('?');
  return { path, query: new URLSearchParams(query) };
}

export function navigate(path, query) {
  const search = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v)).toString() : '';
  const hash = `#${path}${search ? `?${search}` : ''}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

export function currentMunicipality() {
  const chosen = me?.municipalities.find((m) => m.kommunenummer === session.municipality);
  return chosen ?? me?.municipalities[0];
}

/** Draws the current route; options.focusId / keepFocus say where focus goes (default: the page heading). */
async function render(options = {}) {
  const run = ++generation;
  try {
    if (!me) {
      if (!(await loadSession())) return showLogin(signInMessage());
      me = await api('GET', '/me');
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    return showError(error);
  }
  if (me.municipalities.length === 0) return showNoAccess();
  renderUser();
  const { path, query } = currentRoute();
  const route = ROUTES.find((r) => r.pattern.test(path));
  for (const link of document.querySelectorAll('#meny a')) {
    if (route && link.dataset.side === route.key && !path.startsWith('/leveranse'))
      link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!route)
    return showPage(
      'Finnes ikke',
      h('p', {}, 'Denne siden finnes ikke. ', h('a', { href: '#/' }, 'Gå til oversikten')),
    );
  const params = route.pattern.exec(path)?.slice(1).map(decodeURIComponent) ?? [];
  const context = {
    me,
    municipality: currentMunicipality(),
    query,
    params,
    /** Still the page on screen? (a slow answer must not draw over the next page) */
    current: () => run === generation,
    refresh: render,
  };
  try {
    const { title, content } = await route.page(context);
    if (run !== generation) return;
    showPage(title, content, options);
  } catch (error) {
    if (run !== generation) return;
    if (error instanceof ApiError && error.status === 401) return;
    showError(error);
  }
}

function showPage(title, content, options = {}) {
  document.title = `${title} – Skjemaflyt`;
  const active = document.activeElement?.id;
  replace(main, content);
  const target = options.focusId
    ? document.getElementById(options.focusId)
    : options.keepFocus
      ? active && document.getElementById(active)
      : !firstRender && main.querySelector('h1');
  if (target) {
    if (!target.hasAttribute('tabindex') && !target.matches('a, button, input, select, textarea')) {
      target.setAttribute('tabindex', '-1');
    }
    target.focus();
  }
  firstRender = false;
}

function showError(error) {
  const problem = error instanceof ApiError ? error.problem : undefined;
  showPage(
    'Noe gikk galt',
    h(
      'div',
      {},
      h('h1', {}, problem?.title ?? 'Noe gikk galt'),
      h('p', { class: 'feilmelding' }, problem?.detail ?? error?.message ?? String(error)),
      h('p', {}, h('a', { href: '#/' }, 'Til oversikten')),
    ),
  );
}

/** Back from a sign-in that did not complete (the hub says why in ?innlogging=…); said once, then cleared. */
function signInMessage() {
  const outcome = new URLSearchParams(location.search).get('innlogging');
  if (!outcome) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  return outcome === 'avbrutt'
    ? 'Innloggingen ble avbrutt. Prøv igjen.'
    : 'Innloggingen mislyktes. Prøv igjen, eller kontakt IT-avdelingen hvis det gjentar seg.';
}

function showLogin(message) {
  me = undefined;
  document.getElementById('meny').hidden = true;
  replace(document.getElementById('bruker'));
  showPage('Logg inn', loginPage({ message }));
}

function showNoAccess() {
  document.getElementById('meny').hidden = true;
  replace(document.getElementById('bruker'));
  showPage('Ingen tilgang', noAccessPage({ name: me.name, onSignOut: signOut }));
}

function renderUser() {
  document.getElementById('meny').hidden = false;
  const chosen = currentMunicipality();
  const select =
    me.municipalities.length > 1
      ? h(
          'div',
          { class: 'kommunevalg' },
          h('label', { for: 'kommune' }, 'Kommune'),
          h(
            'select',
            {
              id: 'kommune',
              onchange: (event) => {
                session.municipality = event.target.value;
                announce(`Viser ${currentMunicipality()?.name}.`);
                render();
              },
            },
            me.municipalities.map((m) =>
              h('option', { value: m.kommunenummer, selected: m.kommunenummer === chosen?.kommunenummer }, m.name),
            ),
          ),
        )
      : h('p', { class: 'kommune' }, chosen?.name);
  replace(
    document.getElementById('bruker'),
    select,
    h('p', { class: 'innlogget' }, h('span', { class: 'skjult' }, 'Innlogget som '), me.name),
    h(
      'button',
      {
        type: 'button',
        class: 'lenkeknapp',
        onclick: () => {
          announce('Logger ut …');
          signOut();
        },
      },
      'Logg ut',
    ),
  );
}

whenUnauthorised(() => {
  showLogin('Økten din er utløpt. Logg inn på nytt for å fortsette der du var.');
});

document.getElementById('hopp').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) render();
});
render();
