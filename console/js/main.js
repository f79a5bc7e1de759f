import { ApiError, api, session, whenUnauthorised } from './api.js';
import { announce, h, replace } from './dom.js';
import { deliveryPage } from './pages/delivery.js';
import { failuresPage } from './pages/failures.js';
import { loginPage } from './pages/login.js';
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
  if (!session.token) return showLogin();
  try {
    me ??= await api('GET', '/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      return showLogin('Tokenet ble ikke godtatt. Logg inn på nytt.');
    return showError(error);
  }
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

function showLogin(message) {
  me = undefined;
  document.getElementById('meny').hidden = true;
  replace(document.getElementById('bruker'));
  showPage(
    'Logg inn',
    loginPage({
      message,
      onToken: (token) => {
        session.token = token;
        firstRender = false;
        render();
      },
    }),
  );
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
          session.token = null;
          session.municipality = null;
          announce('Du er logget ut.');
          showLogin();
        },
      },
      'Logg ut',
    ),
  );
}

whenUnauthorised(() => {
  session.token = null;
  showLogin('Økten er utløpt. Logg inn på nytt.');
});

document.getElementById('hopp').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) render();
});
render();
