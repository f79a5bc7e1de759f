import type { Registry } from '../config/registry.ts';
import { reject } from '../domain/rejection.ts';
import { checkEnvelope } from './envelope.ts';
import { jsonIssueError } from './form-data.ts';
import { limitsFor, loosestLimits, megabytes } from './limits.ts';
import { inspectJson } from './strict-json.ts';
import { acceptsSyntheticPersons } from './test-persons.ts';
import type { SubmissionEnvelope } from './types.ts';

/** An envelope is at most a few levels deep; anything deeper is not one. */
const ENVELOPE_DEPTH = 8;

/**
 * From the request body to a checked envelope, cheapest checks first: media type, size, JSON that means one
 * thing (no duplicate keys, no prototype keys), then the envelope's fields. Nothing is stored before this.
 */
export function parseEnvelope(
  request: { contentType: string | undefined; body: string },
  registry: Registry,
): SubmissionEnvelope {
  const [mediaType, ...parameters] = (request.contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (mediaType !== 'application/json') {
    throw reject.unsupportedMediaType('Innsendingen må sendes som application/json.');
  }
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw reject.unsupportedMediaType('Innsendingen må være kodet som UTF-8.');
  }
  // Before the body says which municipality it is for, the most any deployment allows; then its own limit.
  const size = Buffer.byteLength(request.body);
  const loosest = loosestLimits(registry.config).maxBodyBytes;
  if (size > loosest) throw reject.tooLarge(`Innsendingen er større enn ${megabytes(loosest)}.`);

  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw reject
      .invalid('Innsendingen er ikke gyldig JSON.', [{ path: '', code: 'invalid-json', message: 'Ugyldig JSON.' }])
      .withType('invalid-json');
  }
  const issue = inspectJson(request.body, { maxDepth: ENVELOPE_DEPTH, maxValues: Number.POSITIVE_INFINITY });
  if (issue) {
    throw reject
      .invalid(
        'Innsendingen kan ikke tolkes entydig.',
        jsonIssueError(issue, '', { maxFormDataDepth: ENVELOPE_DEPTH }).errors,
      )
      .withType('invalid-json');
  }
  const municipality = (body as { municipality?: unknown } | null)?.municipality;
  const own = limitsFor(registry.config, typeof municipality === 'string' ? municipality : undefined).maxBodyBytes;
  if (size > own) throw reject.tooLarge(`Innsendingen er større enn ${megabytes(own)}.`);

  const { envelope, errors } = checkEnvelope(
    body,
    (k) => registry.municipality(k) !== undefined,
    (k) => acceptsSyntheticPersons(registry.config, k),
  );
  if (!envelope) throw reject.invalid('Innsendingen har feil i ett eller flere felt.', errors);
  return envelope;
}
