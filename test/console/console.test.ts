import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffAccessToken } from '../../infra/local/staff-sign-in.ts';
import { newSubmission } from '../support/factories.ts';
import { type FakeArchive, startFakeArchive } from '../support/fake-archive.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { providerFor, testHub } from '../support/hub.ts';
import { startArchiveGate } from './support/archive-gate.ts';
import { axeViolations, launchBrowser, screenshot, signInAs } from './support/browser.ts';

/**
 * The archive staff's console, driven in headless Chromium against the whole hub: the HTTP archive refuses every
 * record of one form type (tt-kort-soknad) until its people fix it.
 */

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: FakeArchive;
let gate: Awaited<ReturnType<typeof startArchiveGate>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let haldenToken: string;
/** The demo archivist of Halden (local identity provider: kari / demo) */
const STAFF = 'Kari Arkivar';
const problemsSeen: string[] = [];

beforeAll(async () => {
  archive = await startFakeArchive({ hangMs: 5_000 });
  gate = await startArchiveGate(archive.url);
  process.env.FAKE_ARCHIVE_URL = gate.url;
  process.env.FAKE_ARCHIVE_TOKEN = 'arkivnøkkel';
  t = await testHub(undefined, { configPath: await httpArchiveConfig() });
  haldenToken = await staffAccessToken(t.hub.identityProvider.issuer, 'kari');
  browser = await launchBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await t?.hub.stop();
  await gate?.close();
  await archive?.close();
});

async function submit(name: string, overrides: Record<string, unknown> = {}) {
  const body = await newSubmission(name, 'konsoll', overrides);
  const response = await t.post(body, providerFor(body.formType));
  expect(response.status).toBe(202);
  return response.body.trackingId as string;
}

const settled = (s: { deliveries: { status: string }[] }) =>
  s.deliveries.every((d) => ['DELIVERED', 'FAILED', 'RESOLVED'].includes(d.status));

async function settle(trackingId: string, provider = 'eskjema') {
  return t.waitFor(trackingId, provider, settled, 45_000);
}

/** A signed-in page: the person signs in at the (local) identity provider's login form, as they would. */
async function signedIn(username = 'kari'): Promise<Page> {
  await context.clearCookies();
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problemsSeen.push(message.text());
  });
  page.on('pageerror', (error) => problemsSeen.push(error.message));
  await page.goto(`${t.hub.url}/console/`);
  await signInAs(page, username);
  await page.getByRole('heading', { level: 1, name: /^Oversikt/ }).waitFor();
  return page;
}

async function expectAccessible(page: Page, name: string) {
  await screenshot(page, name);
  expect(await axeViolations(page), `axe on ${name}`).toEqual([]);
}

describe('the console', () => {
  it('lists the failures of the broken form type, explains them, and turns them DELIVERED with "Prøv igjen" once the archive is fixed', async () => {
    gate.breakFormType('tt-kort-soknad');
    const broken = [
      await submit('tt-kort-soknad'),
      await submit('tt-kort-soknad', {
        submitter: { name: 'Ola Sæther', nationalId: '12035440095', email: 'ola@example.no' },
      }),
      await submit('tt-kort-soknad'),
    ];
    const fine = await submit('a-skjema-tilsetting');
    for (const trackingId of broken) expect((await settle(trackingId)).deliveries[0].status).toBe('FAILED');
    expect((await settle(fine, 'halden-intranett')).status).toBe('DELIVERED');

    const page = await signedIn();
    await expect.poll(() => page.locator('.tall-kort.status-FAILED .tall-verdi').textContent()).toBe('3');
    await expect.poll(() => page.getByText(/Søknad om TT-kort til Halden sak\/arkiv har ventet i/).count()).toBe(1);
    await expectAccessible(page, '1-oversikt');

    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Feil' }).click();
    await page.getByRole('heading', { level: 1, name: 'Feilet – Halden kommune' }).waitFor();
    await page.getByLabel('Skjema').selectOption('tt-kort-soknad');
    await page.getByRole('button', { name: 'Vis' }).click();
    await page.getByRole('heading', { level: 2, name: '3 leveranser' }).waitFor();
    const rows = page.locator('table.leveranser tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.locator('td.problem').allTextContents()).toEqual(Array(3).fill('Mottakers postnummer mangler'));
    // TT-kort is screened (Offl. § 13): the names are not in the list, however it was found.
    expect(await rows.locator('td').allTextContents()).toContain('Skjermet');
    expect(await page.locator('main').textContent()).not.toContain('Ola Sæther');
    await expectAccessible(page, '2-feilliste');

    // The detail page explains the archive's refusal in the form's terms, beside the raw text.
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Søknad om TT-kort til Halden sak/arkiv' }).waitFor();
    const explanation = page.getByRole('region', { name: 'Hva er galt' });
    await expect.poll(() => explanation.locator('.oppsummering').textContent()).toBe('Mottakers postnummer mangler');
    const facts = await explanation.locator('dl').textContent();
    expect(facts).toContain('soker.adresse.postnummer');
    expect(facts).toContain('registrering/korrespondansepart/postnummer');
    expect(facts).toContain('«Mottakers postnummer mangler på korrespondansepart» (ugyldigforespoersel)');
    expect(await explanation.locator('pre').textContent()).toContain('Arkivet avviste arkivmeldingen');
    // The arkivmelding as produced, with the fødselsnummer masked; it shows the screened name, so that look first.
    const produced = page.getByRole('region', { name: 'Arkivmeldingen Skjemaflyt laget' });
    expect(await produced.getByText('Vis arkivmelding.xml').count()).toBe(0);
    await page.getByRole('button', { name: 'Vis navn' }).click();
    await page.getByLabel('Formål (påkrevd, registreres)').fill('Svare innbyggeren (servicetorget)');
    await page.locator('#navn-vis').click();
    await expect.poll(() => page.locator('#navn').textContent()).toMatch(/^(Ola Sæther|Åse Marie Østby-Lærum)$/);
    await produced.getByText('Vis arkivmelding.xml').click();
    const xml = (await produced.locator('pre').textContent()) ?? '';
    expect(xml).toContain('<personid>120354*****</personid>');
    expect(xml).not.toContain('12035440095');
    await expectAccessible(page, '3-detalj-feilet');

    // The fødselsnummer is masked until asked for, and the look is recorded in the timeline with who looked.
    const submission = page.getByRole('region', { name: 'Innsending' });
    expect(await submission.textContent()).toContain('120354*****');
    expect(await page.content()).not.toContain('12035440095');
    await submission.getByRole('button', { name: 'Vis fødselsnummer' }).click();
    // Why is asked first: no purpose, no number.
    await page.locator('#fnr-vis').click();
    await expect.poll(() => page.locator('#fnr-formaal-feil').textContent()).toContain('Skriv hvorfor');
    expect(await page.locator('main').textContent()).not.toContain('12035440095');
    await page.locator('#fnr-formaal').fill('Journalføre manuelt');
    await page.locator('#fnr-vis').click();
    await expect.poll(() => page.locator('#fnr').textContent()).toBe('12035440095');
    const timeline = page.locator('#tidslinje');
    await expect.poll(() => timeline.textContent()).toContain('Fødselsnummeret ble vist. Formål: Journalføre manuelt.');
    expect(await timeline.locator('li.innsyn').allTextContents()).toEqual([
      expect.stringContaining('Navnet (skjermet) ble vist. Formål: Svare innbyggeren (servicetorget).'),
      expect.stringContaining(`Fødselsnummeret ble vist. Formål: Journalføre manuelt.Utført av ${STAFF}`),
    ]);

    // The archive's people fix it; one click and the delivery goes through.
    gate.fix();
    await page.getByRole('button', { name: 'Prøv igjen' }).click();
    await expect.poll(() => page.locator('#status-linje .status').textContent(), { timeout: 30_000 }).toBe('Levert');
    expect(await timeline.textContent()).toContain('Sendt på nytt av en person.');
    expect(await timeline.textContent()).toContain(`Utført av ${STAFF}`);
    await page.getByRole('region', { name: 'Referanser fra mottakeren' }).getByText('Saksnummer').waitFor();
    await expectAccessible(page, '4-detalj-levert');

    // The other two: retried by their cause from the list, with progress and the outcome.
    await page.goto(`${t.hub.url}/console/#/feil?status=FAILED&formType=tt-kort-soknad`);
    await page.getByRole('heading', { level: 2, name: '2 leveranser' }).waitFor();
    await page.getByRole('button', { name: 'Prøv igjen for 2 leveranser' }).click();
    await page.getByRole('button', { name: 'Ja, send 2 på nytt' }).click();
    await expect.poll(() => page.locator('#aarsak-target-rejected-tekst').textContent()).toBe('Sendt på nytt: 2 av 2');
    await expect
      .poll(() => page.locator('#aarsak-target-rejected-utfall').textContent(), { timeout: 30_000 })
      .toBe('2 levert, 0 feilet igjen.');
    await screenshot(page, '5-feilliste-sendt-paa-nytt');
    for (const trackingId of broken) expect((await settle(trackingId)).deliveries[0].status).toBe('DELIVERED');
    await page.getByRole('button', { name: 'Oppdater listen' }).click();
    await page.getByText('Ingen leveranser passer filteret.').waitFor();

    const history = (await t.staffView(broken[2] as string)).body.deliveries[0].history;
    expect(history.find((h: { status: string; by?: string }) => h.status === 'QUEUED' && h.by)?.by).toBe(STAFF);
    expect(problemsSeen).toEqual([]);
    await page.close();
  }, 180_000);

  it('finds a submission by the submitter’s name, and a resolve with a comment (keyboard only) shows in the timeline', async () => {
    gate.breakFormType('tt-kort-soknad');
    const trackingId = await submit('tt-kort-soknad', {
      submitter: { name: 'Åse Marie Østby-Lærum', nationalId: '12035440095' },
    });
    expect((await settle(trackingId)).deliveries[0].status).toBe('FAILED');

    const page = await signedIn();
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Søk' }).click();
    await page.getByLabel('Navn, innsendings-ID eller sporings-ID').fill('østby-lærum');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Finn en innsending' }).waitFor();
    const found = page.locator('#treff-liste > li');
    await expect.poll(() => found.filter({ hasText: 'Feilet' }).count()).toBe(1);
    await expectAccessible(page, '6-sok');
    await found.filter({ hasText: 'Feilet' }).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Søknad om TT-kort til Halden sak/arkiv' }).waitFor();

    // Keyboard only: Tab to the comment, an empty submit is refused with a message tied to the field.
    await tabTo(page, '#lukk');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#kommentar-feil').textContent()).toContain('Skriv en kommentar');
    expect(await focusedId(page)).toBe('kommentar');
    expect(await page.locator('#kommentar').getAttribute('aria-invalid')).toBe('true');
    await page.keyboard.type('Journalført manuelt i Elements, jnr 2026/4711');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('lukk');
    await page.keyboard.press('Enter');

    await expect.poll(() => page.locator('#status-linje .status').textContent()).toBe('Lukket');
    expect(await focusedId(page)).toBe('status-linje');
    const last = page.locator('#tidslinje li').last();
    expect(await last.textContent()).toContain('Lukket: Journalført manuelt i Elements, jnr 2026/4711');
    expect(await last.textContent()).toContain(`Utført av ${STAFF}`);
    await expectAccessible(page, '7-detalj-lukket');
    expect((await t.status(trackingId)).body.deliveries[0].status).toBe('RESOLVED');
    expect(problemsSeen).toEqual([]);
    await page.close();
    gate.fix();
  }, 120_000);

  it('an admin of Halden cannot see or act on Levanger’s deliveries, in the API or the console', async () => {
    gate.breakFormType('soknad-tiltak-uten-ansvarsrett');
    const levanger = await submit('soknad-tiltak-uten-ansvarsrett');
    // The building-case system waits for the archive (PENDING): the archive delivery fails.
    const status = await t.waitFor(levanger, 'eskjema', (s) => s.deliveries.some((d: any) => d.status === 'FAILED'));
    const delivery = status.deliveries.find((d: { status: string }) => d.status === 'FAILED');
    expect(delivery).toBeDefined();
    gate.fix();
    const id = delivery.id as string;

    const asHalden = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${t.hub.url}/v1/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${haldenToken}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return response.status;
    };
    expect(await asHalden('GET', `/deliveries/${id}`)).toBe(404);
    expect(await asHalden('POST', `/deliveries/${id}/retry`)).toBe(404);
    expect(await asHalden('POST', `/deliveries/${id}/resolve`, { comment: 'Ikke vår' })).toBe(404);
    expect(await asHalden('POST', `/deliveries/${id}/national-id`)).toBe(404);
    expect(await asHalden('GET', '/deliveries?municipality=5037')).toBe(403);
    expect(await asHalden('GET', '/overview?municipality=5037')).toBe(403);
    expect(await asHalden('POST', '/deliveries/retry', { municipality: '5037' })).toBe(403);
    const search = await fetch(`${t.hub.url}/v1/admin/deliveries?q=${levanger}`, {
      headers: { authorization: `Bearer ${haldenToken}` },
    });
    expect(((await search.json()) as { items: unknown[] }).items).toEqual([]);
    // Levanger's own admin sees it.
    expect((await t.admin('GET', `/deliveries/${id}`, undefined, ['5037'])).status).toBe(200);

    const page = await signedIn();
    expect(await page.locator('#bruker').textContent()).toContain('Halden kommune');
    expect(await page.locator('#kommune').count()).toBe(0);
    await page.goto(`${t.hub.url}/console/#/leveranse/${encodeURIComponent(id)}`);
    await page.getByRole('heading', { level: 1, name: 'Fant ikke leveransen' }).waitFor();
    expect(await page.getByRole('button', { name: 'Prøv igjen' }).count()).toBe(0);
    await screenshot(page, '8-ingen-tilgang');
    await page.close();

    // Still FAILED: nothing Halden did touched it.
    expect((await t.admin('GET', `/deliveries/${id}`, undefined, ['5037'])).body.delivery.status).toBe('FAILED');
  }, 120_000);

  it('an admin of both Levanger and Verdal picks the municipality, and each shows only its own failures', async () => {
    gate.breakFormType('soknad-tiltak-uten-ansvarsrett');
    const levanger = await submit('soknad-tiltak-uten-ansvarsrett');
    const status = await t.waitFor(levanger, 'eskjema', (s) => s.deliveries.some((d: any) => d.status === 'FAILED'));
    gate.fix();
    const id = status.deliveries.find((d: { status: string }) => d.status === 'FAILED')?.id as string;
    // Ivar, archivist of Innherred: his group gives both Levanger and Verdal.
    const page = await signedIn('ivar');
    const picker = page.getByLabel('Kommune');
    expect(await picker.locator('option').allTextContents()).toEqual(['Levanger kommune', 'Verdal kommune']);
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Feil' }).click();
    await page.getByRole('heading', { level: 1, name: 'Feilet – Levanger kommune' }).waitFor();
    const link = page.locator(`table.leveranser a[href$="${encodeURIComponent(id)}"]`);
    await expect.poll(() => link.count()).toBe(1);
    await expectAccessible(page, '9-kommunevalg');

    await picker.selectOption('5038');
    await page.getByRole('heading', { level: 1, name: 'Feilet – Verdal kommune' }).waitFor();
    await page.getByRole('heading', { level: 2, name: /leveranse/ }).waitFor();
    expect(await link.count()).toBe(0);
    await page.close();
  }, 120_000);

  it('redrive: the operator command sends every FAILED delivery of a target again, with progress', async () => {
    gate.breakFormType('tt-kort-soknad');
    const broken = [await submit('tt-kort-soknad'), await submit('tt-kort-soknad'), await submit('tt-kort-soknad')];
    for (const trackingId of broken) expect((await settle(trackingId)).deliveries[0].status).toBe('FAILED');
    gate.fix();

    const run = promisify(execFile);
    const { stdout, stderr } = await run(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../infra/local/redrive.ts'),
        ...['--municipality', '3101', '--target', 'halden-arkiv', '--status', 'FAILED', '--batch', '2'],
        ...['--url', t.hub.url],
      ],
      { env: { ...process.env, SKJEMAFLYT_DATA_DIR: t.dataDir } },
    );
    expect(stdout.trim()).toBe('3 av 3 leveranser sendt på nytt.');
    expect(stderr).toContain('] 3/3');
    for (const trackingId of broken) {
      const done = await settle(trackingId);
      expect(done.deliveries[0].status).toBe('DELIVERED');
      const staff = (await t.staffView(trackingId)).body.deliveries[0];
      // Locally, redrive signs in as the municipality's demo archivist.
      expect(staff.history.some((h: { by?: string }) => h.by === STAFF)).toBe(true);
    }
  }, 120_000);

  it('serves only the console’s own files, with a strict Content-Security-Policy', async () => {
    const index = await fetch(`${t.hub.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toContain('<html lang="nb">');
    expect((await fetch(`${t.hub.url}/console/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.hub.url}/console/%2e%2e/README.md`)).status).toBe(404);
    const redirect = await fetch(`${t.hub.url}/console`, { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe('/console/');
  });
});

async function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate('document.activeElement?.id');
}

/** Presses Tab until the element matching `selector` has focus (a keyboard user reaching it). */
async function tabTo(page: Page, selector: string, maxPresses = 60) {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`${selector} not reached with Tab`);
}
