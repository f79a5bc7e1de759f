/**
 * Previews what a submission would produce, delivering nothing:
 *   npm run --silent map -- <submission.json> [--out <dir>] [--format fiks-arkiv-v1|eformidling]
 *                           [--archive saksnummer=2026/17 --archive journalpostnummer=3] [--config <file or folder>]
 *                           [--tracking-id <id> --received-at <RFC 3339>]
 * With the delivered submission's trackingId and reception time, the arkivmelding is byte for byte the delivered one.
 * Prints the arkivmelding (validated against its format's XSD) and every specialist-system payload; with --out,
 * writes them as arkivmelding.xml and <target>.json|xml instead. When something cannot be made, prints which
 * field and which rule on stderr and exits 1 (2 for a usage error).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../shared/config/errors.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { previewSubmission } from '../../shared/mapping/preview.ts';
import { ARCHIVE_FORMATS, type ArchiveFormat } from '../../shared/noark/formats.ts';

const USAGE =
  'Usage: npm run --silent map -- <submission.json> [--out <dir>] [--format fiks-arkiv-v1|eformidling] ' +
  '[--archive saksnummer=<value> …] [--config <file or folder>] [--tracking-id <id> --received-at <time>]';

const usage = (message?: string): never => {
  process.stderr.write(`${message ? `${message}\n` : ''}${USAGE}\n`);
  process.exit(2);
};

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        format: { type: 'string' },
        archive: { type: 'string', multiple: true },
        config: { type: 'string' },
        'tracking-id': { type: 'string' },
        'received-at': { type: 'string' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
}
const { values, positionals } = parse();
const [submissionFile] = positionals;
if (!submissionFile || positionals.length > 1) usage();
const format = values.format as ArchiveFormat | undefined;
if (format && !ARCHIVE_FORMATS.includes(format)) usage(`Unknown format "${format}"`);
const archiveReferences = values.archive?.length
  ? Object.fromEntries(
      values.archive.map((pair) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) usage(`--archive takes name=value, not "${pair}"`);
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
    )
  : undefined;

let body: unknown;
try {
  body = JSON.parse(await readFile(resolve(submissionFile as string), 'utf8'));
} catch (error) {
  process.stderr.write(`Cannot read ${submissionFile}: ${(error as Error).message}\n`);
  process.exit(1);
}

let registry: ReturnType<typeof buildRegistry>;
try {
  registry = buildRegistry(await loadHubConfig(values.config || process.env.SKJEMAFLYT_CONFIG || DEFAULT_CONFIG_PATH));
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}

const receivedAt = values['received-at'];
if (receivedAt !== undefined && Number.isNaN(Date.parse(receivedAt)))
  usage(`--received-at "${receivedAt}" is not a time`);
const preview = await previewSubmission(registry, body, {
  ...(format ? { format } : {}),
  ...(values['tracking-id'] ? { trackingId: values['tracking-id'] } : {}),
  ...(receivedAt ? { receivedAt } : {}),
  ...(archiveReferences ? { archiveReferences } : {}),
});

if (values.out) {
  const dir = resolve(values.out);
  await mkdir(dir, { recursive: true });
  for (const file of preview.files) {
    await writeFile(join(dir, file.filename), file.body);
    process.stdout.write(`${join(dir, file.filename)}\n`);
  }
} else {
  for (const file of preview.files) {
    process.stdout.write(`==> ${file.filename} (${file.target}${file.format ? `, ${file.format}` : ''}) <==\n`);
    process.stdout.write(file.body.endsWith('\n') ? `${file.body}\n` : `${file.body}\n\n`);
  }
}

if (preview.problems.length > 0) {
  const lines = preview.problems.map(
    (p) => `  ${p.target ? `[${p.target}] ` : ''}${p.field ? `${p.field}: ` : ''}${p.message}`,
  );
  process.stderr.write(`${preview.formType ?? 'Innsendingen'} kan ikke leveres slik den er:\n${lines.join('\n')}\n`);
  process.exitCode = 1;
}
