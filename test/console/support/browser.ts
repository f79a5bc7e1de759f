import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

/**
 * Headless Chromium through playwright-core, a fresh profile each time, laptop-sized. Which Chromium: the one
 * test/support/prerequisites.ts prepared (the packaged one from the lock file, or CHROMIUM_PATH).
 */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../test-output/console');

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'skjemaflyt-chromium-'));
  const { executablePath, env } = inject('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    env: { ...process.env, ...env },
    headless: true,
    viewport: { width: 1366, height: 768 },
    locale: 'nb-NO',
    timezoneId: 'Europe/Oslo',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/**
 * axe-core's WCAG 2.1 A/AA rules and best practices on the page as it is now. Evaluated through the
 * DevTools protocol, so the console's Content-Security-Policy stays on.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("'axe' in window"))) await page.evaluate(await axeSource);
  const options = { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] };
  const violations = (await page.evaluate(
    `axe.run(document, ${JSON.stringify(options)}).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/**
 * Signs in from the console's login page as a person would: "Logg inn", then the identity provider's form
 * (the local one: username and password `demo`), and back to the console.
 */
export async function signInAs(page: Page, username: string, password = 'demo'): Promise<void> {
  await page.getByRole('link', { name: 'Logg inn' }).click();
  await page.getByLabel('Brukernavn').fill(username);
  await page.getByLabel('Passord').fill(password);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/console/'));
}
