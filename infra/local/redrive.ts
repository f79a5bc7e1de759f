/**
 * Sends every FAILED delivery that matches a filter again, through the admin API (the same action as the
 * console's "Prøv igjen for alle"), with a progress bar:
 *   npm run --silent redrive -- --municipality 3101 --target halden-arkiv --status FAILED
 *   [--form-type tt-kort-soknad] [--from 2026-11-24] [--to 2026-11-25] [--url https://…] [--token …]
 * Locally it talks to `npm start` (PORT, default 8080) with a development admin token for the municipality;
 * against AWS give --url and --token (or SKJEMAFLYT_TOKEN). Each retry is recorded with the token's name.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { staffAccessOf } from '../../shared/auth/staff.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { demoPersonFor, localStaffToken } from './staff-identity.ts';

const USAGE =
  'Usage: npm run --silent redrive -- --municipality <kommunenummer> [--target <targetId>] [--form-type <id>]\n' +
  '         [--status FAILED] [--from <date>] [--to <date>] [--url <hub url>] [--token <admin token>] [--batch <1-100>]';

export interface RedriveOptions {
  url: string;
  token: string;
  municipality: string;
  target?: string;
  formType?: string;
  from?: string;
  to?: string;
  batch?: number;
  /** Called after each page with the running count and the total */
  progress?: (done: number, total: number) => void;
}

export class RedriveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedriveError';
  }
}

/** Pages through POST /v1/admin/deliveries/retry until done; returns how many were sent again and skipped. */
export async function redrive(options: RedriveOptions): Promise<{ retried: number; skipped: number; total: number }> {
  const filter = {
    municipality: options.municipality,
    ...(options.target ? { target: options.target } : {}),
    ...(options.formType ? { formType: options.formType } : {}),
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    limit: options.batch ?? 25,
  };
  let cursor: string | undefined;
  let total = 0;
  let retried = 0;
  let skipped = 0;
  do {
    const response = await fetch(new URL('/v1/admin/deliveries/retry', options.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...filter, ...(cursor ? { cursor } : {}) }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      total?: number;
      retried?: number;
      skipped?: number;
      nextCursor?: string | null;
      detail?: string;
      errors?: { path: string; message: string }[];
    };
    if (!response.ok) {
      const fields = (body.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
      throw new RedriveError(`HTTP ${response.status}: ${body.detail ?? 'feil'}${fields ? ` (${fields})` : ''}`);
    }
    if (body.total !== undefined) total = body.total;
    retried += body.retried ?? 0;
    skipped += body.skipped ?? 0;
    cursor = body.nextCursor ?? undefined;
    options.progress?.(retried, Math.max(total, retried));
  } while (cursor);
  return { retried, skipped, total };
}

/** `[██████░░░░░░]  12/40` on one line, redrawn in place on a terminal. */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      municipality: { type: 'string' },
      target: { type: 'string' },
      'form-type': { type: 'string' },
      status: { type: 'string', default: 'FAILED' },
      from: { type: 'string' },
      to: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      batch: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n`);
    process.exit(2);
  };
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.municipality || !/^\d{4}$/.test(values.municipality)) fail(`--municipality is required\n${USAGE}`);
  if (values.status !== 'FAILED') fail('Only FAILED deliveries can be sent again (--status FAILED).');
  const municipality = values.municipality as string;
  const url = values.url ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`;
  const token =
    values.token ??
    process.env.SKJEMAFLYT_TOKEN ??
    (await localAdminToken(municipality).catch((error: Error) => fail(`No token: ${error.message}`)));

  const terminal = process.stderr.isTTY;
  const what = [values.target, values['form-type']].filter(Boolean).join(', ') || 'alle mål';
  process.stderr.write(`Sender feilede leveranser på nytt for ${municipality} (${what}) …\n`);
  try {
    const result = await redrive({
      url,
      token,
      municipality,
      ...(values.target ? { target: values.target } : {}),
      ...(values['form-type'] ? { formType: values['form-type'] } : {}),
      ...(values.from ? { from: values.from } : {}),
      ...(values.to ? { to: values.to } : {}),
      ...(values.batch ? { batch: Number(values.batch) } : {}),
      progress: (done, total) => {
        process.stderr.write(terminal ? `\r${progressBar(done, total)}` : `${progressBar(done, total)}\n`);
      },
    });
    if (terminal) process.stderr.write('\n');
    const skipped = result.skipped > 0 ? `; ${result.skipped} hadde endret status og ble hoppet over` : '';
    process.stdout.write(`${result.retried} av ${result.total} leveranser sendt på nytt${skipped}.\n`);
  } catch (error) {
    if (terminal) process.stderr.write('\n');
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    process.stderr.write(
      `Stoppet: ${(error as Error).message}${cause ? ` (${cause}: kjører hubben på ${url}?)` : ''}\n`,
    );
    process.exit(1);
  }
}

if (import.meta.main) await main();

/** Locally, the demo archivist of the municipality signs in at the hub's identity provider. */
async function localAdminToken(municipality: string): Promise<string> {
  const config = await loadHubConfig(process.env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH);
  const person = demoPersonFor(staffAccessOf(config.deployments), [municipality]);
  if (!person) throw new Error(`no demo person may retry in ${municipality}; pass --token`);
  return localStaffToken(resolve(process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt'), person.username);
}
