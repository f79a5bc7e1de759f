import { inspectXml } from './xml-guard.ts';

/**
 * The attachment types the hub accepts, each with how to recognise its bytes: the declared type must match
 * what the file is (a "PDF" that is really HTML or a program is refused). Archival formats first (Noark 5:
 * PDF, TIFF, JPEG, PNG, XML, text), then the office formats an archive converts on import.
 */
interface AttachmentType {
  /** File extensions, lower case, the first one canonical */
  extensions: string[];
  matches(bytes: Uint8Array): boolean;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const utf8 = new TextDecoder('utf-8', { fatal: true });

function startsWith(bytes: Uint8Array, ...signatures: (number[] | string)[]): boolean {
  return signatures.some((signature) => {
    const sig = typeof signature === 'string' ? [...Buffer.from(signature, 'latin1')] : signature;
    return sig.length <= bytes.length && sig.every((b, i) => bytes[i] === b);
  });
}

function text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function isXml(bytes: Uint8Array): boolean {
  const content = text(bytes);
  // Another system parses these: no DTDs or entities travel through the hub.
  return (
    content !== undefined &&
    /^[\s\uFEFF]*</.test(content) &&
    inspectXml(content, { maxDepth: 256, maxElements: Number.POSITIVE_INFINITY }) === undefined
  );
}

function isJson(bytes: Uint8Array): boolean {
  const content = text(bytes);
  return content !== undefined && /^[\s\uFEFF]*[{[]/.test(content);
}

function isPlainText(bytes: Uint8Array): boolean {
  const content = text(bytes);
  return content !== undefined && !content.includes('\u0000');
}

export const ATTACHMENT_TYPES: Record<string, AttachmentType> = {
  'application/pdf': { extensions: ['pdf'], matches: (b) => startsWith(b, '%PDF-') },
  'image/tiff': {
    extensions: ['tif', 'tiff'],
    matches: (b) => startsWith(b, [0x49, 0x49, 0x2a, 0], [0x4d, 0x4d, 0, 0x2a]),
  },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  'image/png': { extensions: ['png'], matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  'application/xml': { extensions: ['xml'], matches: isXml },
  'text/xml': { extensions: ['xml'], matches: isXml },
  'application/json': { extensions: ['json'], matches: isJson },
  'text/plain': { extensions: ['txt'], matches: isPlainText },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    extensions: ['docx'],
    matches: (b) => startsWith(b, ZIP),
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    extensions: ['xlsx'],
    matches: (b) => startsWith(b, ZIP),
  },
  'application/vnd.oasis.opendocument.text': { extensions: ['odt'], matches: (b) => startsWith(b, ZIP) },
  'application/vnd.oasis.opendocument.spreadsheet': { extensions: ['ods'], matches: (b) => startsWith(b, ZIP) },
};

export type AttachmentCheck = 'ok' | 'type-not-accepted' | 'content-mismatch';

export function checkAttachmentContent(contentType: string, bytes: Uint8Array): AttachmentCheck {
  const type = Object.hasOwn(ATTACHMENT_TYPES, contentType) ? ATTACHMENT_TYPES[contentType] : undefined;
  if (!type) return 'type-not-accepted';
  return type.matches(bytes) ? 'ok' : 'content-mismatch';
}

export function extensionsFor(contentType: string): string[] {
  return Object.hasOwn(ATTACHMENT_TYPES, contentType) ? (ATTACHMENT_TYPES[contentType]?.extensions ?? []) : [];
}
