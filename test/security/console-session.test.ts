import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSession, HeadlessBrowser, signInAtProvider } from '../../infra/local/staff-sign-in.ts';
import { safeReturnTo } from '../../shared/auth/console-session.ts';
import { newSubmission } from '../support/factories.ts';
import { testHub } from '../support/hub.ts';

/**
 * The console's session against someone who tries: a forged or planted cookie, a state-changing call without the
 * CSRF token or from another origin, a sign-in that would send the person to another site afterwards, a callback
 * with another state, a code from another sign-in, a replayed callback. Each is refused and leaves no session.
 */

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let deliveryId: string;

beforeAll(async () => {
  t = await testHub();
  const { body } = await t.post(await newSubmission('tt-kort-soknad', 'fiendtlig'));
  const status = await t.waitFor(body.trackingId, 'eskjema', (s) =>
    s.deliveries.every((d: { status: string }) => d.status === 'DELIVERED'),
  );
  deliveryId = status.deliveries[0].id;
});

afterAll(() => t?.hub.stop());

const issuer = () => t.hub.identityProvider.issuer;
const me = (cookie: string) => fetch(`${t.hub.url}/v1/admin/me`, { headers: { cookie } });
const retry = (headers: Record<string, string>) =>
  fetch(`${t.hub.url}/v1/admin/deliveries/${encodeURIComponent(deliveryId)}/retry`, { method: 'POST', headers });

/** Starts a sign-in in `browser` and signs in at the identity provider; returns the callback URL it sent back. */
async function signInUpToCallback(browser: HeadlessBrowser, returnTo = '/console/') {
  const login = await browser.request(`${t.hub.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  return new URL(await signInAtProvider(browser, login.headers.get('location') ?? '', issuer(), 'kari'));
}

const sessionCookieSet = (response: Response) =>
  response.headers.getSetCookie().some((c) => /^skjemaflyt-session=[^;]+/.test(c));

describe('the console session cookie', () => {
  it('is HttpOnly, SameSite=Strict and scoped to the whole origin; a forged or planted one opens nothing', async () => {
    const browser = new HeadlessBrowser();
    const done = await browser.request((await signInUpToCallback(browser)).href);
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith('skjemaflyt-session='));
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const real = browser.cookieHeader(new URL(t.hub.url).origin);
    expect((await me(real)).status).toBe(200);

    expect((await me('skjemaflyt-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    expect((await me('skjemaflyt-session=../../etc/passwd')).status).toBe(401);
    expect((await me(`skjemaflyt-session=${'x'.repeat(5000)}`)).status).toBe(401);
    // A second cookie of the same name, planted beside the real one, makes neither count.
    expect((await me(`${real}; skjemaflyt-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(401);
    const session = await fetch(`${t.hub.url}/auth/session`, {
      headers: { cookie: 'skjemaflyt-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(await session.json()).toEqual({ signedIn: false });
  });

  it('a state-changing call needs the session’s CSRF token, and an Origin (when sent) of the console', async () => {
    const kari = await consoleSession(t.hub.url, issuer(), 'kari');
    // With the token the call reaches the delivery (409: a delivered one cannot be retried): the check is the gate.
    expect((await retry({ cookie: kari.cookie, 'x-skjemaflyt-csrf': kari.csrfToken })).status).toBe(409);
    const missing = await retry({ cookie: kari.cookie });
    expect(missing.status).toBe(403);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect((await retry({ cookie: kari.cookie, 'x-skjemaflyt-csrf': 'gjettet' })).status).toBe(403);
    const other = await consoleSession(t.hub.url, issuer(), 'kari');
    expect((await retry({ cookie: kari.cookie, 'x-skjemaflyt-csrf': other.csrfToken })).status).toBe(403);
    const fromElsewhere = { cookie: kari.cookie, 'x-skjemaflyt-csrf': kari.csrfToken, origin: 'https://evil.example' };
    expect((await retry(fromElsewhere)).status).toBe(403);
    // Sign-out is state-changing too: without the token the session lives on.
    const logout = await fetch(`${t.hub.url}/auth/logout`, { method: 'POST', headers: { cookie: kari.cookie } });
    expect(logout.status).toBe(403);
    expect((await me(kari.cookie)).status).toBe(200);
    const history = (await t.admin('GET', `/deliveries/${encodeURIComponent(deliveryId)}`)).body.delivery.history;
    expect(history.some((h: { by?: string }) => h.by)).toBe(false);
  });
});

describe('signing in', () => {
  it('never sends the person to another site afterwards (returnTo is a console path of this origin)', async () => {
    for (const returnTo of [
      'https://evil.example/console/',
      '//evil.example/console/',
      '/\\evil.example/',
      '/console/..//evil.example',
      '/console//evil.example',
      '/console/%2F%2Fevil.example',
      '/console/%5Cevil.example',
      'javascript:alert(1)',
      '/v1/admin/deliveries',
      '/console/\r\nSet-Cookie: x=1',
    ]) {
      const browser = new HeadlessBrowser();
      const done = await browser.request((await signInUpToCallback(browser, returnTo)).href);
      expect(done.status, returnTo).toBe(303);
      expect(done.headers.get('location'), returnTo).toBe('/console/');
    }
    const browser = new HeadlessBrowser();
    const done = await browser.request((await signInUpToCallback(browser, '/console/#/leveranse/abc?x=1')).href);
    expect(done.headers.get('location')).toBe('/console/#/leveranse/abc?x=1');
  });

  it('safeReturnTo keeps console paths and turns everything else into the front page', () => {
    expect(safeReturnTo('/console/#/feil?status=FAILED')).toBe('/console/#/feil?status=FAILED');
    expect(safeReturnTo(undefined)).toBe('/console/');
    expect(safeReturnTo('/console/../auth/logout')).toBe('/console/');
    expect(safeReturnTo('/console/\u0000')).toBe('/console/');
    expect(safeReturnTo(`/console/${'a'.repeat(2000)}`)).toBe('/console/');
  });

  it('refuses a callback with another state, one without the sign-in’s cookie, and a replayed one', async () => {
    const browser = new HeadlessBrowser();
    const callback = await signInUpToCallback(browser);
    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'annen-state');
    const refused = await browser.request(tampered.href);
    expect(refused.headers.get('location')).toBe('/console/?innlogging=feilet');
    expect(sessionCookieSet(refused)).toBe(false);

    // The sign-in was used up by the refused attempt: the right callback now finds nothing either.
    const again = await browser.request(callback.href);
    expect(again.headers.get('location')).toBe('/console/?innlogging=feilet');
    expect(sessionCookieSet(again)).toBe(false);

    // An attacker's own code pushed into a victim's browser (login CSRF): the victim has no sign-in under way.
    const attacker = new HeadlessBrowser();
    const planted = await fetch((await signInUpToCallback(attacker)).href, { redirect: 'manual' });
    expect(planted.headers.get('location')).toBe('/console/?innlogging=feilet');
    expect(sessionCookieSet(planted)).toBe(false);
  });

  it('refuses a code from another sign-in (its PKCE verifier and nonce do not match), and an error from the provider', async () => {
    const victim = new HeadlessBrowser();
    const own = await signInUpToCallback(victim);
    const other = await signInUpToCallback(new HeadlessBrowser());
    const swapped = new URL(own);
    swapped.searchParams.set('code', other.searchParams.get('code') ?? '');
    const refused = await victim.request(swapped.href);
    expect(refused.headers.get('location')).toBe('/console/?innlogging=feilet');
    expect(sessionCookieSet(refused)).toBe(false);

    const browser = new HeadlessBrowser();
    const login = await browser.request(`${t.hub.url}/auth/login`);
    const state = new URL(login.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const denied = await browser.request(
      `${t.hub.url}/auth/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(issuer())}`,
    );
    expect(denied.headers.get('location')).toBe('/console/?innlogging=avbrutt');
    expect(sessionCookieSet(denied)).toBe(false);
  });

  it('a session is a fresh id each time, never one the browser brought', async () => {
    const browser = new HeadlessBrowser();
    const callback = await signInUpToCallback(browser);
    const done = await fetch(callback.href, {
      redirect: 'manual',
      headers: {
        cookie: `${browser.cookieHeader(new URL(t.hub.url).origin)}; skjemaflyt-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
      },
    });
    const set = done.headers.getSetCookie().find((c) => c.startsWith('skjemaflyt-session='));
    expect(set).toBeDefined();
    expect(set).not.toContain('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  });
});
