import { describe, expect, it } from 'vitest';
import type { FormType } from '../../shared/config/types.ts';
import { jsonResponse, problemResponse, problems } from '../../shared/http/problem.ts';
import { checkAttachmentContent } from '../../shared/submission/attachment-types.ts';
import { base64DecodedSize, base64Problem } from '../../shared/submission/base64.ts';
import { checkEnvelope } from '../../shared/submission/envelope.ts';
import {
  archiveFilename,
  distinctFilenames,
  filenameProblem,
  isDeviceName,
  safeFilename,
} from '../../shared/submission/filenames.ts';
import { FormDataError, parseFormData } from '../../shared/submission/form-data.ts';
import { isValidNationalId, isValidOrganisationNumber } from '../../shared/submission/identifiers.ts';
import { KOMMUNENUMMER } from '../../shared/submission/kommunenummer.ts';
import { DEFAULT_LIMITS } from '../../shared/submission/limits.ts';
import { checkFormRules } from '../../shared/submission/rules.ts';
import { inspectJson } from '../../shared/submission/strict-json.ts';
import { isCleanName, isCleanText } from '../../shared/submission/text.ts';
import { inspectXml } from '../../shared/submission/xml-guard.ts';

const unlimited = { maxDepth: 64, maxValues: 1e9 };

describe('strict JSON: one meaning per document', () => {
  it('finds a key given twice, where JSON.parse would silently keep the last', () => {
    expect(inspectJson('{"a":1,"b":{"c":1,"c":2}}', unlimited)).toEqual({ kind: 'duplicate-key', path: '/b/c' });
    expect(inspectJson('{"a":1,"a":1}', unlimited)).toEqual({ kind: 'duplicate-key', path: '/a' });
  });

  it('finds a duplicate hidden by an escape', () => {
    expect(inspectJson('{"ab":1,"a\\u0062":2}', unlimited)).toEqual({ kind: 'duplicate-key', path: '/ab' });
  });

  it('refuses prototype keys, also when escaped', () => {
    expect(inspectJson('{"__proto__":{"admin":true}}', unlimited)?.kind).toBe('forbidden-key');
    expect(inspectJson('{"x":[{"__pro\\u0074o__":1}]}', unlimited)).toEqual({
      kind: 'forbidden-key',
      path: '/x/0/__proto__',
    });
    expect(inspectJson('{"constructor":{"prototype":{}}}', unlimited)?.kind).toBe('forbidden-key');
  });

  it('does not take string contents for structure', () => {
    const text = JSON.stringify({ a: 'x", "a": "{[', b: ['\\"', { c: '}' }], d: '"__proto__"' });
    expect(inspectJson(text, unlimited)).toBeUndefined();
  });

  it('keeps keys apart per object and in arrays', () => {
    expect(inspectJson('[{"a":1},{"a":2}]', unlimited)).toBeUndefined();
    expect(inspectJson('{"a":{"a":{"a":1}}}', unlimited)).toBeUndefined();
  });

  it('counts depth and values', () => {
    expect(inspectJson(`${'['.repeat(10)}${']'.repeat(10)}`, { maxDepth: 9, maxValues: 1e9 })?.kind).toBe('too-deep');
    expect(inspectJson(`${'['.repeat(9)}${']'.repeat(9)}`, { maxDepth: 9, maxValues: 1e9 })).toBeUndefined();
    expect(inspectJson('[1,2,3,true,null,"x"]', { maxDepth: 9, maxValues: 6 })?.kind).toBe('too-many-values');
    expect(inspectJson('[1,2,3,true,null,"x"]', { maxDepth: 9, maxValues: 7 })).toBeUndefined();
  });
});

describe('XML guard: nothing declared, included or fetched', () => {
  const limits = { maxDepth: 8, maxElements: 50 };

  it('refuses DTDs, entity declarations and other markup declarations', () => {
    for (const xml of [
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "http://example.org/a.dtd"><a/>',
      '<a><!ENTITY x SYSTEM "file:///etc/passwd"></a>',
      '<!doctype a><a/>',
    ]) {
      expect(inspectXml(xml, limits), xml).toEqual({ kind: 'declaration' });
    }
  });

  it('allows the XML declaration, comments and CDATA, even when they look like markup', () => {
    expect(
      inspectXml(
        '<?xml version="1.0" encoding="UTF-8"?>\n<a><!-- <!DOCTYPE x> --><b><![CDATA[<!ENTITY x> <?pi?>]]></b></a>',
        limits,
      ),
    ).toBeUndefined();
  });

  it('refuses processing instructions other than the XML declaration', () => {
    expect(inspectXml('<?xml-stylesheet href="http://evil/x.xsl"?><a/>', limits)?.kind).toBe('processing-instruction');
    expect(inspectXml('<a><?php echo 1 ?></a>', limits)?.kind).toBe('processing-instruction');
    expect(inspectXml('<a/><?xml version="1.0"?>', limits)?.kind).toBe('processing-instruction');
  });

  it('refuses XInclude, also with the namespace spelled in character references', () => {
    expect(
      inspectXml('<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></a>', limits)?.kind,
    ).toBe('xinclude');
    expect(
      inspectXml('<a xmlns:q="http://www.w3.org/2001/XInc&#108;ude"><q:include href="x"/></a>', limits)?.kind,
    ).toBe('xinclude');
  });

  it('refuses element names that would pollute prototypes', () => {
    expect(inspectXml('<a><__proto__><x>1</x></__proto__></a>', limits)?.kind).toBe('forbidden-name');
    expect(inspectXml('<a><p:constructor/></a>', limits)?.kind).toBe('forbidden-name');
  });

  it('refuses a second root element', () => {
    expect(inspectXml('<?xml version="1.0"?>\n<a/>\n<a/>', limits)?.kind).toBe('several-roots');
    expect(inspectXml('<a><b/></a><!-- end -->', limits)).toBeUndefined();
  });

  it('counts depth and elements, with quoted ">" in attributes', () => {
    expect(inspectXml(`${'<a>'.repeat(9)}${'</a>'.repeat(9)}`, limits)?.kind).toBe('too-deep');
    expect(inspectXml(`${'<a x=">">'.repeat(8)}${'</a>'.repeat(8)}`, limits)).toBeUndefined();
    expect(inspectXml(`<r>${'<b/>'.repeat(50)}</r>`, limits)?.kind).toBe('too-many-elements');
    expect(inspectXml(`<r>${'<b/>'.repeat(49)}</r>`, limits)).toBeUndefined();
  });

  it('counts attributes with the elements: 20 000 attributes on one element are not one element', () => {
    const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="x"`).join('');
    expect(inspectXml(`<r${attributes(20_000)}/>`, limits)?.kind).toBe('too-many-elements');
    // 1 element + 49 attributes is the limit; a quoted "=" or ">" is no attribute.
    expect(inspectXml(`<r${attributes(49)}/>`, limits)).toBeUndefined();
    expect(inspectXml(`<r${attributes(50)}/>`, limits)?.kind).toBe('too-many-elements');
    expect(inspectXml(`<r a="x=y>z" b='=='/>`, { ...limits, maxElements: 3 })).toBeUndefined();
    expect(inspectXml(`<r a="x=y>z" b='=='/>`, { ...limits, maxElements: 2 })?.kind).toBe('too-many-elements');
  });
});

describe('form data', () => {
  it('decodes character references and the five XML entities, once', () => {
    const { data } = parseFormData('application/xml', '<m><n a="&#248;">J&#248;rn &amp;lt; &lt;3 &#x4F;</n></m>');
    expect(data.n).toEqual({ '#text': 'Jørn &lt; <3 O', '@a': 'ø' });
  });

  it('refuses a control or bidi character that arrives as a character reference', () => {
    for (const ref of ['&#x202E;', '&#0;', '&#x1B;', '&#xD800;']) {
      expect(() => parseFormData('application/xml', `<m><n>Ola${ref}</n></m>`), ref).toThrow(FormDataError);
    }
  });

  it('refuses overlong values and oversize content, naming the field', () => {
    const limits = { ...DEFAULT_LIMITS, maxStringLength: 10, maxFormDataBytes: 100 };
    try {
      parseFormData('application/xml', '<m><soker><navn>Åse Marie Østby-Lærum</navn></soker></m>', limits);
      expect.unreachable();
    } catch (error) {
      expect((error as FormDataError).errors).toEqual([
        { path: '/formData/content/soker/navn', message: 'Verdien er lengre enn 10 tegn.' },
      ]);
    }
    const big = `<m>${'<a>x</a>'.repeat(20)}</m>`;
    expect(() => parseFormData('application/xml', big, limits)).toThrow(
      expect.objectContaining({ status: 413 }) as unknown as Error,
    );
  });

  it('refuses JSON form data with duplicate or prototype keys', () => {
    expect(() => parseFormData('application/json', '{"a":1,"a":2}', DEFAULT_LIMITS)).toThrow(FormDataError);
    expect(() => parseFormData('application/json', '{"__proto__":{"x":1}}', DEFAULT_LIMITS)).toThrow(FormDataError);
  });

  it('refuses JSON keys with invisible or control characters, naming the key with the character shown', () => {
    for (const [key, shown] of [
      ['na\u200Bvn', 'na\\u{200B}vn'],
      ['navn\u202E', 'navn\\u{202E}'],
      ['\u0000', '\\u{0}'],
      ['a/b\u2066', 'a~1b\\u{2066}'],
    ]) {
      const content = JSON.stringify({ melding: { [key as string]: 'Ola' } });
      try {
        parseFormData('application/json', content, DEFAULT_LIMITS);
        expect.unreachable(JSON.stringify(key));
      } catch (error) {
        expect((error as FormDataError).errors, JSON.stringify(key)).toEqual([
          { path: `/formData/content/melding/${shown}`, message: expect.stringContaining('Feltnavnet') },
        ]);
      }
    }
    expect(() => parseFormData('application/json', '{"melding":{"tekst":"a"}}', DEFAULT_LIMITS)).not.toThrow();
  });

  it('refuses XML attribute and element names with invisible characters too', () => {
    expect(() => parseFormData('application/xml', '<m><n a\u200D="1">x</n></m>', DEFAULT_LIMITS)).toThrow(
      FormDataError,
    );
    expect(() => parseFormData('application/xml', '<m><na\u200Cvn>x</na\u200Cvn></m>', DEFAULT_LIMITS)).toThrow(
      FormDataError,
    );
  });

  it('counts XML attributes against maxFormDataElements, with a 413', () => {
    const xml = `<m><n${Array.from({ length: 600 }, (_, i) => ` a${i}="x"`).join('')}/></m>`;
    expect(() => parseFormData('application/xml', xml, { ...DEFAULT_LIMITS, maxFormDataElements: 500 })).toThrow(
      expect.objectContaining({ status: 413 }) as unknown as Error,
    );
  });

  it('never quotes the content in a malformed-XML message', () => {
    try {
      parseFormData('application/xml', '<m><fnr>12035440095</fnr><Sæther></m>');
      expect.unreachable();
    } catch (error) {
      const text = JSON.stringify((error as FormDataError).errors);
      expect(text).not.toContain('12035440095');
      expect(text).not.toContain('Sæther');
    }
  });
});

describe('text', () => {
  it('keeps Norwegian and Sámi names, emoji in free text', () => {
    for (const name of ['Åse Marie Østby-Lærum', 'Ola Sæther', 'Áile Čoarvi', "O'Neill", 'Nguyễn']) {
      expect(isCleanName(name), name).toBe(true);
    }
    expect(isCleanText('Lyset er ødelagt 👨‍👩‍👧\nSe bilde.\tTakk')).toBe(true);
  });

  it('refuses zero-width, bidi and control characters in names', () => {
    for (const name of [
      'Ola\u200BNordmann',
      'Ola\u202ENordmann',
      'Ola\u2066x\u2069',
      'Ola\u200DN',
      'Ola\u0000',
      'Ola\u00AD',
    ]) {
      expect(isCleanName(name), JSON.stringify(name)).toBe(false);
    }
    for (const text of ['a\u202Eb', 'a\u200Bb', 'a\u0007b', 'a\uFFFDb', 'a\uD800b']) {
      expect(isCleanText(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe('filenames', () => {
  it('refuses names that are paths, devices, hidden or invisible', () => {
    for (const name of [
      '../../etc/passwd',
      '..\\..\\windows\\win.ini',
      '/etc/passwd',
      '.htaccess',
      '..',
      'CON.pdf',
      'nul.txt',
      'com1.pdf',
      'LPT9.tar.gz',
      'CON .pdf',
      'rapport.pdf.',
      'rapport.pdf ',
      'faktura\u202Efdp.exe',
      'a\u0000.pdf',
      'a\u200B.pdf',
    ]) {
      expect(filenameProblem(name), JSON.stringify(name)).toBeDefined();
    }
  });

  it('refuses a name that becomes a device name on its way: trimmed, NFKC, or in the archive’s ASCII', () => {
    // The penetration test's names, each accepted before and written as CON.pdf, lpt1.pdf, AUX.pdf.
    for (const name of [
      ' CON.pdf',
      'ＣＯＮ.pdf',
      'ｌｐｔ１.pdf',
      ' AUX.pdf',
      '\u3000NUL.pdf',
      'CON\u3000.pdf',
      'ＣＯＭ１.tar.gz',
      'CØN.pdf',
      'nul.tar.gz',
    ]) {
      expect(filenameProblem(name), JSON.stringify(name)).toMatch(/enhetsnavn/);
    }
  });

  it('never writes a device name, whatever way a name comes in', () => {
    for (const name of [
      'CON.pdf',
      ' CON.pdf',
      'ＣＯＮ.pdf',
      'ｌｐｔ１.pdf',
      'CØN.pdf',
      'aux',
      'Com¹.pdf',
      'NUL .pdf',
    ]) {
      const safe = safeFilename(name, 'application/pdf');
      const { stem, ext } = archiveFilename(safe);
      expect(isDeviceName(safe), `${JSON.stringify(name)} → ${safe}`).toBe(false);
      expect(isDeviceName(`${stem}.${ext}`), `${JSON.stringify(name)} → ${stem}.${ext}`).toBe(false);
    }
    expect(archiveFilename('søknad.pdf')).toEqual({ stem: 'soknad', ext: 'pdf' });
    expect(archiveFilename('CØN.pdf')).toEqual({ stem: '_CoN', ext: 'pdf' });
  });

  it('accepts ordinary names, including Norwegian letters and "..", "con" inside a name', () => {
    for (const name of [
      'søknad-tt-kort.pdf',
      'Legeerklæring (1).pdf',
      'rapport..v2.pdf',
      'console.pdf',
      'icon.png',
      'Ｒapport.pdf',
      'CONTRA.pdf',
      'COM10.pdf',
    ]) {
      expect(filenameProblem(name), name).toBeUndefined();
    }
  });

  it('reduces an accepted name to a safe form: NFC, no Windows-illegal characters, an extension that fits', () => {
    expect(safeFilename('So\u0308knad: \u00ABx\u00BB?.pdf', 'application/pdf')).toBe('Söknad_ «x»_.pdf');
    expect(safeFilename('passwd', 'application/pdf')).toBe('passwd.pdf');
    expect(safeFilename('bilde.pdf', 'image/png')).toBe('bilde.pdf.png');
    expect(safeFilename(`${'a'.repeat(300)}.pdf`, 'application/pdf')).toHaveLength(120);
  });

  it('gives duplicates distinct names, case-insensitively, and keeps the archive’s own names free', () => {
    expect(distinctFilenames(['vedlegg.pdf', 'Vedlegg.pdf', 'vedlegg.pdf', 'arkivmelding.xml'])).toEqual([
      'vedlegg.pdf',
      'Vedlegg (2).pdf',
      'vedlegg (3).pdf',
      'arkivmelding (2).xml',
    ]);
  });
});

describe('attachment content must match its declared type', () => {
  const bytes = (s: string) => Buffer.from(s, 'latin1');

  it('knows a PDF, an image, XML and text by their bytes', () => {
    expect(checkAttachmentContent('application/pdf', bytes('%PDF-1.7\n...'))).toBe('ok');
    expect(checkAttachmentContent('image/png', bytes('\x89PNG\r\n\x1a\n....'))).toBe('ok');
    expect(checkAttachmentContent('image/jpeg', bytes('\xff\xd8\xff\xe0..'))).toBe('ok');
    expect(checkAttachmentContent('application/xml', Buffer.from('<?xml version="1.0"?><a>ø</a>'))).toBe('ok');
    expect(checkAttachmentContent('text/plain', Buffer.from('Hei på deg'))).toBe('ok');
  });

  it('refuses a "PDF" that is HTML or a program, and types it does not take', () => {
    expect(checkAttachmentContent('application/pdf', bytes('<html><script>alert(1)</script>'))).toBe(
      'content-mismatch',
    );
    expect(checkAttachmentContent('application/pdf', bytes('MZ\x90\x00'))).toBe('content-mismatch');
    expect(checkAttachmentContent('image/png', bytes('\xff\xd8\xff\xe0'))).toBe('content-mismatch');
    expect(checkAttachmentContent('application/xml', Buffer.from('<!DOCTYPE a [<!ENTITY x "y">]><a/>'))).toBe(
      'content-mismatch',
    );
    expect(checkAttachmentContent('text/plain', Buffer.from([0x61, 0xc3, 0x28]))).toBe('content-mismatch');
    expect(checkAttachmentContent('text/html', bytes('<html>'))).toBe('type-not-accepted');
    expect(checkAttachmentContent('application/x-msdownload', bytes('MZ'))).toBe('type-not-accepted');
    expect(checkAttachmentContent('__proto__', bytes('x'))).toBe('type-not-accepted');
  });
});

describe('base64 attachments', () => {
  it('refuses what is not base64 with the position, in one linear pass (the pattern it replaces backtracked)', () => {
    expect(base64Problem('JVBERi0xLjQK')).toBeUndefined();
    expect(base64Problem('JVBE\r\nRi0x\nLjQ=\r\n')).toBeUndefined();
    expect(base64Problem('QQ==')).toBeUndefined();
    expect(base64Problem('QQ== \t\n')).toBeUndefined();
    expect(base64Problem('QQ===')).toBe(4);
    expect(base64Problem('=QQ')).toBe(0);
    expect(base64Problem('QQ==QQ')).toBe(4);
    expect(base64Problem('QQ QQ')).toBe(3);
    expect(base64Problem('QQ-_')).toBe(2);
    // The penetration test's body: "A", 100 000 line breaks, "!".
    expect(base64Problem(`A${'\r\n'.repeat(100_000)}!`)).toBe(200_001);
    expect(base64Problem(`A${'\n'.repeat(100_000)}!`)).toBe(100_001);
  });

  it('knows the decoded size without decoding', () => {
    for (const bytes of [0, 1, 2, 3, 4, 5, 57, 58, 1000]) {
      const text = Buffer.alloc(bytes, 0x25).toString('base64');
      expect(base64DecodedSize(text), String(bytes)).toBe(bytes);
      expect(base64DecodedSize(text.replace(/(.{76})/g, '$1\r\n')), String(bytes)).toBe(bytes);
    }
  });

  it('names the attachment’s field and the position in the envelope check', () => {
    const { errors } = checkEnvelope({
      submissionId: 'x-1',
      formType: 'tt-kort-soknad',
      municipality: '3101',
      submittedAt: '2026-11-24T10:15:00+01:00',
      submitter: { name: 'Ola Nordmann' },
      formData: { contentType: 'application/xml', content: '<m/>' },
      attachments: [
        { filename: 'a.pdf', contentType: 'application/pdf', role: 'main', contentBase64: `A${'\r\n'.repeat(1000)}!` },
      ],
    });
    expect(errors).toEqual([
      {
        path: '/attachments/0/contentBase64',
        code: 'invalid-base64',
        message: 'Innholdet er ikke gyldig base64 (tegn nr. 2002 hører ikke hjemme der).',
      },
    ]);
  });
});

describe('identifiers', () => {
  const formType = (nationalIds: string[], organisationNumbers: string[] = [], root = 'melding') =>
    ({
      title: 'Søknad om TT-kort',
      formData: { contentType: 'application/xml', root, required: [], nationalIds, organisationNumbers },
    }) as unknown as FormType;
  const soker = (fnr: string) => `<soker><fodselsnummer>${fnr}</fodselsnummer><fornavn>Ola</fornavn></soker>`;
  const envelope = { municipality: '3101', submitter: {} };

  it('checks the fødselsnummer of every <soker>, not only the first', () => {
    const xml = `<melding>${soker('12035440095')}${soker('12035440096')}${soker('01118740080')}</melding>`;
    const errors = checkFormRules(formType(['soker.fodselsnummer']), parseFormData('application/xml', xml), envelope);
    expect(errors).toEqual([
      {
        path: '/formData/content/soker/1/fodselsnummer',
        code: 'invalid-checksum',
        message: 'Feltet «soker.fodselsnummer» er ikke et gyldig fødselsnummer.',
      },
    ]);
    expect(JSON.stringify(errors)).not.toContain('12035440096');
    const good = `<melding>${soker('12035440095')}${soker('01118740080')}</melding>`;
    expect(checkFormRules(formType(['soker.fodselsnummer']), parseFormData('application/xml', good), envelope)).toEqual(
      [],
    );
  });

  it('checks a repeated field, JSON lists and organisasjonsnummer the same way', () => {
    const xml =
      '<melding><soker><fodselsnummer>12035440095</fodselsnummer><fodselsnummer>1</fodselsnummer></soker></melding>';
    expect(
      checkFormRules(formType(['soker.fodselsnummer']), parseFormData('application/xml', xml), envelope).map(
        (e) => e.path,
      ),
    ).toEqual(['/formData/content/soker/fodselsnummer/1']);
    const json = JSON.stringify({ firma: [{ orgnr: '959159092' }, { orgnr: '959159093' }] });
    expect(
      checkFormRules(formType([], ['firma.orgnr'], ''), parseFormData('application/json', json), envelope).map(
        (e) => e.path,
      ),
    ).toEqual(['/formData/content/firma/1/orgnr']);
  });

  it('checks fødselsnummer, D-numbers and organisasjonsnummer by mod 11', () => {
    expect(isValidNationalId('12035440095')).toBe(true);
    expect(isValidNationalId('12035440096')).toBe(false);
    expect(isValidNationalId('41018000049')).toBe(true); // D-number: day + 40
    expect(isValidNationalId('41018000048')).toBe(false);
    expect(isValidNationalId('1203544009')).toBe(false);
    expect(isValidOrganisationNumber('959159092')).toBe(true);
    expect(isValidOrganisationNumber('959159093')).toBe(false);
  });

  it('knows Norway’s 357 kommunenummer', () => {
    expect(KOMMUNENUMMER.size).toBe(357);
    for (const k of ['0301', '3101', '5037', '5038', '4601', '1508', '1580', '5636'])
      expect(KOMMUNENUMMER.has(k), k).toBe(true);
    for (const k of ['0000', '9999', '3100', '1507', '5401']) expect(KOMMUNENUMMER.has(k), k).toBe(false);
  });

  it('names the field at fault and never echoes the number', () => {
    const { errors } = checkEnvelope({
      submissionId: 'x-1',
      formType: 'tt-kort-soknad',
      municipality: '9999',
      submittedAt: '2026-11-24T10:15:00+01:00',
      submitter: { name: 'Ola\u202ENordmann', nationalId: '12035440096', organisationNumber: '940000018' },
      formData: { contentType: 'application/xml', content: '<m/>' },
      attachments: [{ filename: 'CON.pdf', contentType: 'application/pdf', role: 'main', contentBase64: 'JVBERi0=' }],
    });
    expect(errors.map((e) => e.path).sort()).toEqual([
      '/attachments/0/filename',
      '/municipality',
      '/submitter/name',
      '/submitter/nationalId',
      '/submitter/organisationNumber',
    ]);
    const text = JSON.stringify(errors);
    for (const value of ['12035440096', '940000018', '9999', 'CON.pdf', 'Nordmann']) expect(text).not.toContain(value);
  });
});

describe('HTTP answers', () => {
  it('every JSON answer and every problem says nosniff', () => {
    expect(jsonResponse(202, { ok: true }).headers).toMatchObject({ 'x-content-type-options': 'nosniff' });
    expect(problemResponse(problems.badRequest('x')).headers).toMatchObject({ 'x-content-type-options': 'nosniff' });
  });
});
