import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Listening TCP sockets as the kernel reports them (/proc/net/tcp and tcp6: what `ss -ltn` reads), so a test can
 * say who could connect. Linux only; elsewhere the tests that use it fail with one line saying so.
 */

export interface Listener {
  /** 127.0.0.1, 0.0.0.0, ::, ::1, ::ffff:127.0.0.1 … */
  address: string;
  port: number;
  inode: string;
}

const LISTEN = '0A';

export async function listeningSockets(): Promise<Listener[]> {
  let tcp: string;
  let tcp6 = '';
  try {
    tcp = await readFile('/proc/net/tcp', 'utf8');
  } catch {
    throw new Error('This test reads /proc/net/tcp (Linux) to see which addresses the local stand-ins listen on.');
  }
  try {
    tcp6 = await readFile('/proc/net/tcp6', 'utf8');
  } catch {
    // no IPv6 on this machine: nothing can listen there
  }
  return [...parse(tcp, decodeIpv4), ...parse(tcp6, decodeIpv6)];
}

function parse(table: string, decode: (hex: string) => string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, state, inode] = [fields[1], fields[3], fields[9]];
    if (!local || state !== LISTEN || !inode) continue;
    const [hexAddress = '', hexPort = ''] = local.split(':');
    listeners.push({ address: decode(hexAddress), port: Number.parseInt(hexPort, 16), inode });
  }
  return listeners;
}

/** The kernel prints each 32-bit word in host byte order (little-endian here). */
function wordBytes(hex: string): number[] {
  const bytes = (hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
  return bytes.reverse();
}

function decodeIpv4(hex: string): string {
  return wordBytes(hex).join('.');
}

function decodeIpv6(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap(wordBytes);
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  if (bytes.every((b) => b === 0)) return '::';
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return '::1';
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Socket inodes a process holds open (its own sockets; readable for our own processes). */
export async function socketInodesOf(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    try {
      const target = await readlink(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}
