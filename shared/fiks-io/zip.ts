/**
 * The few parts of ZIP (PKWARE APPNOTE 6.3) an ASiC-E container needs, on node:zlib, in memory.
 *
 * Why not a zip library: the reader here must refuse hostile archives *before* inflating them (declared sizes,
 * compression ratio, overlapping entries, ZIP64, encryption, path tricks) and never trust a declared size
 * (inflation stops at the declared length + 1). yauzl/fflate would each need most of that written around them, and the
 * writer must put `mimetype` first, stored, with no extra field (ETSI EN 319 162-1 A.1), which takes 60 lines. Stored
 * and deflated entries only; no ZIP64 (a Fiks IO message is far below 4 GiB in memory anyway).
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipInputEntry {
  name: string;
  data: Uint8Array;
  /** `store` keeps the bytes as they are (required for ASiC's `mimetype`); default: deflate if it helps. */
  method?: 'store' | 'deflate';
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  method: 'store' | 'deflate';
}

export interface ZipLimits {
  /** At most this many entries (directory entries included). */
  maxEntries: number;
  /** The sum of all entries' uncompressed sizes. */
  maxTotalBytes: number;
  /** Uncompressed / compressed size of one entry, checked for entries above `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1_000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

export type ZipErrorCode = 'zip_malformed' | 'zip_unsupported' | 'zip_too_large' | 'zip_bomb' | 'zip_bad_name';

/** A container that cannot be read safely. Never retryable: the same bytes fail the same way. */
export class ZipError extends Error {
  readonly retryable = false;
  readonly code: ZipErrorCode;
  constructor(code: ZipErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'ZipError';
  }
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const UTF8_FLAG = 0x0800;
// 1980-01-01 00:00: a fixed time keeps the same files giving the same bytes (the timestamps carry no meaning here).
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** Writes a zip of the entries, in the order given, optionally with an archive comment. */
export function writeZip(entries: ZipInputEntry[], comment = ''): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const names = new Set<string>();
  for (const entry of entries) {
    checkName(entry.name);
    if (names.has(entry.name)) throw new ZipError('zip_bad_name', `duplicate entry ${entry.name}`);
    names.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : UTF8_FLAG;
    const crc = crc32(entry.data);
    let method = 0;
    let body: Uint8Array = entry.data;
    if (entry.method !== 'store') {
      const deflated = deflateRawSync(entry.data);
      if (entry.method === 'deflate' || deflated.length < entry.data.length) {
        method = 8;
        body = deflated;
      }
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, body);

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(CENTRAL, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(DOS_TIME, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(entry.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + body.length;
    if (offset > 0xfffffff0) throw new ZipError('zip_too_large', 'archive would need ZIP64');
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const commentBytes = Buffer.from(comment, 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(commentBytes.length, 20);
  return Buffer.concat([...parts, ...central, end, commentBytes]);
}

interface CentralRecord {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  dataStart: number;
}

/**
 * Reads every file entry (directories skipped), in central-directory order, after checking the whole archive's
 * structure and limits. Throws ZipError for anything unsafe or not understood.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records = readCentralDirectory(buf, limits);
  const entries: ZipEntry[] = [];
  let total = 0;
  for (const r of records) {
    if (r.name.endsWith('/')) continue;
    const raw = buf.subarray(r.dataStart, r.dataStart + r.compressedSize);
    let data: Buffer;
    if (r.method === 0) {
      data = raw;
    } else {
      try {
        // Never more than declared (+1 to notice a lie): a bomb stops here even if its header understates.
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, r.size + 1) });
      } catch {
        throw new ZipError('zip_bomb', `entry ${r.name} inflates past its declared size or is corrupt`);
      }
    }
    if (data.length !== r.size) throw new ZipError('zip_malformed', `entry ${r.name} has the wrong size`);
    if (crc32(data) !== r.crc) throw new ZipError('zip_malformed', `entry ${r.name} fails its CRC`);
    total += data.length;
    if (total > limits.maxTotalBytes) throw new ZipError('zip_too_large', 'archive content is too large');
    entries.push({ name: r.name, data: new Uint8Array(data), method: r.method === 0 ? 'store' : 'deflate' });
  }
  return entries;
}

/** The archive's first local entry, as a streaming reader sees it (ASiC wants `mimetype` there, stored). */
export function firstEntry(bytes: Uint8Array): { name: string; stored: boolean; data: Uint8Array } | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 30 || buf.readUInt32LE(0) !== LOCAL) return undefined;
  const method = buf.readUInt16LE(8);
  const flags = buf.readUInt16LE(6);
  const csize = buf.readUInt32LE(18);
  const nameLen = buf.readUInt16LE(26);
  const extraLen = buf.readUInt16LE(28);
  const start = 30 + nameLen + extraLen;
  if (start > buf.length) return undefined;
  const name = buf.subarray(30, 30 + nameLen).toString('utf8');
  // Stored with sizes in the header (no data descriptor): how ASiC wants `mimetype` so it can be sniffed at offset 38.
  const stored = method === 0 && (flags & 0x08) === 0 && extraLen === 0;
  return { name, stored, data: stored ? buf.subarray(start, Math.min(buf.length, start + csize)) : new Uint8Array() };
}

function readCentralDirectory(buf: Buffer, limits: ZipLimits): CentralRecord[] {
  const endAt = findEnd(buf);
  const disk = buf.readUInt16LE(endAt + 4);
  const cdDisk = buf.readUInt16LE(endAt + 6);
  const onDisk = buf.readUInt16LE(endAt + 8);
  const count = buf.readUInt16LE(endAt + 10);
  const cdSize = buf.readUInt32LE(endAt + 12);
  const cdOffset = buf.readUInt32LE(endAt + 16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) throw new ZipError('zip_unsupported', 'multi-disk archive');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    throw new ZipError('zip_unsupported', 'ZIP64 archive');
  if (count > limits.maxEntries) throw new ZipError('zip_too_large', `more than ${limits.maxEntries} entries`);
  if (cdOffset + cdSize > endAt) throw new ZipError('zip_malformed', 'central directory out of bounds');

  const records: CentralRecord[] = [];
  const names = new Set<string>();
  let declaredTotal = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdOffset + cdSize || buf.readUInt32LE(at) !== CENTRAL)
      throw new ZipError('zip_malformed', 'bad central directory entry');
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const diskStart = buf.readUInt16LE(at + 34);
    const offset = buf.readUInt32LE(at + 42);
    const name = decodeName(buf.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (at > cdOffset + cdSize) throw new ZipError('zip_malformed', 'central directory entry overruns');
    if (flags & 0x01) throw new ZipError('zip_unsupported', `entry ${name} is encrypted`);
    if (method !== 0 && method !== 8) throw new ZipError('zip_unsupported', `entry ${name} uses method ${method}`);
    if (diskStart !== 0) throw new ZipError('zip_unsupported', 'multi-disk archive');
    if (compressedSize === 0xffffffff || size === 0xffffffff || offset === 0xffffffff)
      throw new ZipError('zip_unsupported', 'ZIP64 entry');
    if (name.endsWith('/')) {
      checkName(name.slice(0, -1));
      if (size !== 0) throw new ZipError('zip_malformed', `directory ${name} has content`);
    } else {
      checkName(name);
    }
    if (names.has(name)) throw new ZipError('zip_bad_name', `duplicate entry ${name}`);
    names.add(name);
    if (method === 0 && compressedSize !== size)
      throw new ZipError('zip_malformed', `stored entry ${name} sizes differ`);
    declaredTotal += size;
    if (declaredTotal > limits.maxTotalBytes) throw new ZipError('zip_too_large', 'archive content is too large');
    if (size > limits.ratioFloorBytes && size > compressedSize * limits.maxRatio)
      throw new ZipError('zip_bomb', `entry ${name} compresses more than ${limits.maxRatio}:1`);

    if (offset + 30 > cdOffset || buf.readUInt32LE(offset) !== LOCAL)
      throw new ZipError('zip_malformed', `entry ${name}: no local header`);
    const localNameLen = buf.readUInt16LE(offset + 26);
    const localExtraLen = buf.readUInt16LE(offset + 28);
    const localName = decodeName(buf.subarray(offset + 30, offset + 30 + localNameLen));
    if (localName !== name) throw new ZipError('zip_malformed', `entry ${name}: local and central names differ`);
    if (buf.readUInt16LE(offset + 8) !== method) throw new ZipError('zip_malformed', `entry ${name}: methods differ`);
    const dataStart = offset + 30 + localNameLen + localExtraLen;
    if (dataStart + compressedSize > cdOffset) throw new ZipError('zip_malformed', `entry ${name} out of bounds`);
    records.push({ name, method, crc, compressedSize, size, offset, dataStart });
  }
  // Entries sharing bytes are how non-recursive zip bombs multiply one deflate stream: each must own its span.
  const byOffset = [...records].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1] as CentralRecord;
    const cur = byOffset[i] as CentralRecord;
    if (prev.dataStart + prev.compressedSize > cur.offset) throw new ZipError('zip_bomb', 'entries overlap');
  }
  return records;
}

function findEnd(buf: Buffer): number {
  if (buf.length < 22) throw new ZipError('zip_malformed', 'not a zip archive');
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === END && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  throw new ZipError('zip_malformed', 'not a zip archive (no end of central directory)');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ZipError('zip_bad_name', 'entry name is not UTF-8');
  }
}

/** Relative, forward slashes, no `..`, no control characters: a name that is safe to use as a path anywhere. */
function checkName(name: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  const bad = /[\x00-\x1f\\]/.test(name) || name.startsWith('/') || /^[a-zA-Z]:/.test(name);
  if (name === '' || bad || name.length > 255 || name.split('/').some((s) => s === '' || s === '.' || s === '..'))
    throw new ZipError('zip_bad_name', `unsafe entry name ${JSON.stringify(name.slice(0, 80))}`);
}
