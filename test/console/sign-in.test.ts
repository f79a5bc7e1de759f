import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSession } from '../../infra/local/staff-sign-in.ts';
import { newSubmission } from '../support/factories.ts';
import { type FakeArchive, startFakeArchive } from '../support/fake-archive.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { testHub } from '../support/hub.ts';
import { startArchiveGate } from './support/archive-gate.ts';
import { axeViolations, launchBrowser, screenshot, signInAs } from './support/browser.ts';

/**
 * Archive staff sign in to the console with their identity provider (the local one, as they would at their
 * municipality's Entra ID): each demo person sees exactly their municipalities and rights, a person with no
 * rights is told so in Norwegian, sign-out ends the session, and a session that expires mid-task comes back to
 * the same page after signing in again. The browser keeps no token anywhere a script could read it.
 */

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: FakeArchive;
let gate: Awaited<ReturnType<typeof startArchiveGate>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
/** A FAILED archive delivery in Halden */
let failedId: string;
const problemsSeen: string[] = [];

beforeAll(async () => {
  archive = await startFakeArchive();
  gate = await startArchiveGate(archive.url);
  process.env.FAKE_ARCHIVE_URL = gate.url;
  process.env.FAKE_ARCHIVE_TOKEN = 'arkivnøkkel';
  t = await testHub(undefined, { configPath: await httpArchiveConfig() });
  gate.breakFormType('tt-kort-soknad');
  const body = await newSubmission('tt-kort-soknad', 'innlogging');
  const { body: receipt } = await t.post(body);
  const failed = await t.waitFor(receipt.trackingId, 'eskjema', (s) =>
    s.deliveries.every((d: { status: string }) => d.status === 'FAILED'),
  );
  expect(failed.deliveries[0].status).toBe('FAILED');
  failedId = failed.deliveries[0].id;
  gate.fix();
  browser = await launchBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await t?.hub.stop();
  await gate?.close();
  await archive?.close();
});

/** A fresh browser state (no session here or at the identity provider), on the console's front page. */
async function freshPage(path = '/console/'): Promise<Page> {
  await context.clearCookies();
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problemsSeen.push(message.text());
  });
  page.on('pageerror', (error) => problemsSeen.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) problemsSeen.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${t.hub.url}${path}`);
  return page;
}

async function expectAccessible(page: Page, name: string) {
  await screenshot(page, name);
  expect(await axeViolations(page), `axe on ${name}`).toEqual([]);
}

/** What a script in the console's page could read: no token, no session id, nothing in web storage. */
async function scriptVisible(page: Page) {
  return page.evaluate(
    '({ cookie: document.cookie, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) })',
  ) as Promise<{ cookie: string; local: string; session: string }>;
}

/** Every session in the table ends now, as when its time is up (server side: no waiting). */
async function expireAllSessions() {
  const dynamo = DynamoDBDocumentClient.from(t.hub.clients.dynamodb);
  const { Items = [] } = await dynamo.send(
    new ScanCommand({
      TableName: t.hub.resources.tableName,
      FilterExpression: 'begins_with(pk, :p)',
      ExpressionAttributeValues: { ':p': 'SESSION#' },
    }),
  );
  for (const item of Items) {
    await dynamo.send(
      new UpdateCommand({
        TableName: t.hub.resources.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
  }
  return Items.length;
}

/** The identity provider's own sign-out page: confirm, and be sent back to the console. */
async function confirmSignOutAtProvider(page: Page) {
  await page.waitForURL((url) => url.origin === new URL(t.hub.identityProvider.issuer).origin);
  await page.getByRole('heading', { level: 1, name: 'Logg ut' }).waitFor();
  expect(await axeViolations(page), 'axe on the sign-out page').toEqual([]);
  await page.getByRole('button', { name: 'Logg ut' }).click();
}

const deliveryPath = () => `/console/#/leveranse/${encodeURIComponent(failedId)}`;

describe('signing in to the console', () => {
  it('the sign-in pages are in Norwegian and pass axe; the archivist of Halden gets Halden, with retry and resolve', async () => {
    const page = await freshPage();
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    await expectAccessible(page, 'innlogging-1-konsoll');
    await page.getByRole('link', { name: 'Logg inn' }).click();
    await page.getByLabel('Brukernavn').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('nb');
    await expectAccessible(page, 'innlogging-2-identitetstilbyder');
    // A wrong password is said on the form, tied to it.
    await page.getByLabel('Brukernavn').fill('kari');
    await page.getByLabel('Passord').fill('feil');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('alert').getByText('Feil brukernavn eller passord.').waitFor();
    expect(await page.getByLabel('Brukernavn').inputValue()).toBe('kari');
    await expectAccessible(page, 'innlogging-3-feil-passord');
    await page.getByLabel('Passord').fill('demo');
    await page.getByRole('button', { name: 'Logg inn' }).click();

    await page.getByRole('heading', { level: 1, name: 'Oversikt – Halden kommune' }).waitFor();
    expect(await page.locator('#bruker').textContent()).toContain('Kari Arkivar');
    expect(await page.locator('#kommune').count()).toBe(0);
    // No token or session id where a script could read it.
    const visible = await scriptVisible(page);
    expect(visible.cookie).toBe('');
    expect(visible.local).toBe('{}');
    expect(visible.session).not.toMatch(/eyJ|session|token/i);
    const cookies = await context.cookies(t.hub.url);
    expect(cookies.find((c) => c.name === 'skjemaflyt-session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    await page.goto(`${t.hub.url}${deliveryPath()}`);
    await page.getByRole('heading', { level: 1, name: /Søknad om TT-kort/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Prøv igjen' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Lukk leveransen' }).count()).toBe(1);
    await page.close();
  }, 120_000);

  it('the archivist of Innherred picks between Levanger and Verdal, and sees no Halden', async () => {
    const page = await freshPage();
    await signInAs(page, 'ivar');
    await page.getByRole('heading', { level: 1, name: /^Oversikt – Levanger kommune/ }).waitFor();
    expect(await page.getByLabel('Kommune').locator('option').allTextContents()).toEqual([
      'Levanger kommune',
      'Verdal kommune',
    ]);
    expect(await page.locator('#bruker').textContent()).toContain('Ivar Innherred');
    await page.goto(`${t.hub.url}${deliveryPath()}`);
    await page.getByRole('heading', { level: 1, name: 'Fant ikke leveransen' }).waitFor();
    await page.close();
  }, 120_000);

  it('the read-only service desk sees Halden’s failures but is offered no retry or resolve, and the API refuses them', async () => {
    const page = await freshPage(deliveryPath());
    await signInAs(page, 'siri');
    // Back on the page asked for, after signing in.
    await page.getByRole('heading', { level: 1, name: /Søknad om TT-kort/ }).waitFor();
    expect(await page.locator('#bruker').textContent()).toContain('Siri Servicetorget');
    await page.getByText('Du har lesetilgang i denne kommunen.').waitFor();
    expect(await page.getByRole('button', { name: 'Prøv igjen' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Lukk leveransen' }).count()).toBe(0);
    await expectAccessible(page, 'innlogging-4-lesetilgang');
    await page.goto(`${t.hub.url}/console/#/feil?status=FAILED`);
    await page.getByRole('heading', { level: 1, name: 'Feilet – Halden kommune' }).waitFor();
    await page.locator('table.leveranser tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: /Prøv igjen for alle/ }).count()).toBe(0);
    await page.close();

    // The API says no too, with her own session and its CSRF token; the delivery stays FAILED.
    const siri = await consoleSession(t.hub.url, t.hub.identityProvider.issuer, 'siri');
    const post = (path: string, body: unknown) =>
      fetch(`${t.hub.url}/v1/admin${path}`, {
        method: 'POST',
        headers: { cookie: siri.cookie, 'x-skjemaflyt-csrf': siri.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const retry = await post(`/deliveries/${encodeURIComponent(failedId)}/retry`, {});
    expect(retry.status).toBe(403);
    expect(((await retry.json()) as { detail: string }).detail).toContain('lesetilgang');
    expect(
      (await post(`/deliveries/${encodeURIComponent(failedId)}/resolve`, { comment: 'Tatt manuelt' })).status,
    ).toBe(403);
    expect((await post('/deliveries/retry', { municipality: '3101' })).status).toBe(403);
    expect(
      (await t.admin('GET', `/deliveries/${encodeURIComponent(failedId)}`, undefined, ['3101'])).body.delivery,
    ).toMatchObject({ status: 'FAILED' });
  }, 120_000);

  it('a sign-in that did not complete is said in Norwegian, and signing in again works', async () => {
    // A callback this browser never started (a link from elsewhere, or a stale tab): no session, a message.
    const page = await freshPage('/auth/callback?code=fremmed&state=fremmed');
    await page.getByRole('alert').getByText('Innloggingen mislyktes.', { exact: false }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    await expectAccessible(page, 'innlogging-7-mislyktes');
    await signInAs(page, 'kari');
    await page.getByRole('heading', { level: 1, name: /^Oversikt/ }).waitFor();
    await page.close();
  }, 120_000);

  it('a person with no rights is told so in Norwegian, and can sign out', async () => {
    const page = await freshPage();
    await signInAs(page, 'nils');
    await page.getByRole('heading', { level: 1, name: 'Ingen tilgang' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'Du er logget inn som Nils Uten Tilgang, men har ikke tilgang til noen kommune i Skjemaflyt.',
    );
    expect(await page.getByRole('navigation', { name: 'Hovedmeny' }).isVisible()).toBe(false);
    await expectAccessible(page, 'innlogging-5-ingen-tilgang');
    await page.getByRole('button', { name: 'Logg ut' }).click();
    // The identity provider asks to confirm its own sign-out, then sends the person back to the console.
    await confirmSignOutAtProvider(page);
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    await page.close();
  }, 120_000);

  it('signing out ends the session here: the old cookie opens nothing', async () => {
    const page = await freshPage();
    await signInAs(page, 'kari');
    await page.getByRole('heading', { level: 1, name: /^Oversikt/ }).waitFor();
    const cookie = (await context.cookies(t.hub.url)).find((c) => c.name === 'skjemaflyt-session');
    expect(cookie).toBeDefined();
    await page.getByRole('banner').getByRole('button', { name: 'Logg ut' }).click();
    await confirmSignOutAtProvider(page);
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    expect((await context.cookies(t.hub.url)).find((c) => c.name === 'skjemaflyt-session')).toBeUndefined();
    // The same cookie, replayed, is no session any more.
    const replayed = await fetch(`${t.hub.url}/v1/admin/me`, {
      headers: { cookie: `skjemaflyt-session=${cookie?.value}` },
    });
    expect(replayed.status).toBe(401);
    // Signing in again asks for the password: the identity provider's session ended too.
    await page.getByRole('link', { name: 'Logg inn' }).click();
    await page.getByLabel('Brukernavn').waitFor();
    await page.close();
  }, 120_000);

  it('a session that expires mid-task says so, and after signing in again the person is back on the same page', async () => {
    problemsSeen.length = 0;
    const page = await freshPage(deliveryPath());
    await signInAs(page, 'kari');
    await page.getByRole('heading', { level: 1, name: /Søknad om TT-kort/ }).waitFor();
    expect(await expireAllSessions()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Prøv igjen' }).click();
    await page
      .getByRole('alert')
      .getByText('Økten din er utløpt. Logg inn på nytt for å fortsette der du var.')
      .waitFor();
    await expectAccessible(page, 'innlogging-6-okt-utlopt');
    // Nothing was done with the expired session.
    expect(
      (await t.admin('GET', `/deliveries/${encodeURIComponent(failedId)}`, undefined, ['3101'])).body.delivery,
    ).toMatchObject({ status: 'FAILED' });

    await page.getByRole('link', { name: 'Logg inn' }).click();
    // The identity provider may still know the person (single sign-on); if not, they type their password.
    const form = page.getByLabel('Brukernavn');
    const heading = page.getByRole('heading', { level: 1, name: /Søknad om TT-kort/ });
    await Promise.race([form.waitFor(), heading.waitFor()]);
    if (await form.isVisible()) {
      await form.fill('kari');
      await page.getByLabel('Passord').fill('demo');
      await page.getByRole('button', { name: 'Logg inn' }).click();
    }
    await heading.waitFor();
    expect(new URL(page.url()).hash).toBe(`#/leveranse/${encodeURIComponent(failedId)}`);
    await page.getByRole('button', { name: 'Prøv igjen' }).click();
    await expect
      .poll(() => page.locator('#status-linje .status').textContent(), { timeout: 30_000 })
      .toMatch(/Levert|I kø|Sendt/);
    const history = (await t.staffView(failedId.split('.')[0] as string)).body.deliveries[0].history;
    // Recorded with the person's name and their subject at the identity provider.
    expect(history.find((h: { status: string; by?: string }) => h.status === 'QUEUED' && h.by)).toMatchObject({
      by: 'Kari Arkivar',
      bySubject: 'a1f0c2d4-kari',
    });
    // The one 401 is the retry with the expired session; nothing else went wrong.
    expect(problemsSeen.filter((p) => !p.includes('401'))).toEqual([]);
    await page.close();
  }, 120_000);
});
