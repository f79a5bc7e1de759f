import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerFor, sample, testHub } from '../support/hub.ts';
import { axeViolations, launchBrowser, screenshot, signInAs } from './support/browser.ts';

/**
 * The Søk page's search by fødselsnummer (issue 17 #5), in headless Chromium against the whole hub: the number is
 * asked with a purpose, travels only in a POST body (never in an address), and finds the A-skjema about the employee.
 */

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let trackingId = '';
const EMPLOYEE_NATIONAL_ID = '29029240181';

beforeAll(async () => {
  t = await testHub();
  const body = await sample('a-skjema-tilsetting');
  const response = await t.post(body, providerFor(body.formType));
  expect(response.status).toBe(202);
  trackingId = response.body.trackingId;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.hub.stop();
});

async function expectAccessible(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    expect(await axeViolations(page), `${name} at ${width} px`).toEqual([]);
    await screenshot(page, `${name}-${width}`);
  }
}

describe('the Søk page finds a submission by fødselsnummer', () => {
  it('asks the purpose, searches with POST, shows the submission with its deliveries', async () => {
    const page = await browser.context.newPage();
    const addresses: string[] = [];
    page.on('request', (request) => addresses.push(request.url()));
    await page.goto(`${t.hub.url}/console/`);
    await signInAs(page, 'kari');
    await page.goto(`${t.hub.url}/console/#/sok`);
    await page.getByLabel('Fødselsnummer (11 siffer)').fill(EMPLOYEE_NATIONAL_ID);
    await page.getByRole('button', { name: 'Søk på fødselsnummer' }).click();
    // No purpose: asked for, nothing searched.
    await page
      .getByRole('alert')
      .getByText(/hvorfor/)
      .waitFor();
    await expectAccessible(page, 'sok-fnr-1-formaal-mangler');
    await page.getByLabel('Formål (påkrevd, registreres)').fill('Den ansatte ringte om lønn');
    await page.getByRole('button', { name: 'Søk på fødselsnummer' }).click();
    await page.getByRole('heading', { level: 2, name: '1 innsending' }).waitFor();
    const result = page.locator('#treff-liste > li');
    expect(await result.count()).toBe(1);
    expect(await result.locator('code').textContent()).toBe(trackingId);
    expect(await result.locator('.treff-leveranser > li').count()).toBe(3);
    await expectAccessible(page, 'sok-fnr-2-treff');
    // The number was never in an address (the browser's history, the access log).
    expect(addresses.filter((a) => a.includes(EMPLOYEE_NATIONAL_ID))).toEqual([]);
    // The look is recorded on the deliveries found, with the purpose and who.
    const { body } = await t.admin('GET', `/deliveries/${encodeURIComponent(`${trackingId}.halden-arkiv`)}`);
    expect(body.delivery.audit).toEqual([
      expect.objectContaining({
        action: 'national-id-searched',
        by: expect.stringMatching(/Kari/),
        detail: expect.stringContaining('Formål: Den ansatte ringte om lønn'),
      }),
    ]);
    await page.close();
  }, 120_000);
});
