import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import type { StaticMount } from './http-server.ts';

/**
 * The archive staff's console (console/ in the repository) at /console/, as static files: the local runner's
 * stand-in for the bucket (or API route) that serves the same files on AWS. Only files inside the folder are
 * served; the headers are those a deployment should set too (see docs/security.md).
 */
export const CONSOLE_DIR = resolve(import.meta.dirname, '../../console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
};

export const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function consoleMount(dir = CONSOLE_DIR, prefix = '/console/'): StaticMount {
  const root = resolve(dir);
  return {
    prefix,
    async handle(req: IncomingMessage, res: ServerResponse) {
      let path: string;
      try {
        path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
      } catch {
        path = '';
      }
      if (`${path}/` === prefix) {
        res.writeHead(301, { location: prefix });
        res.end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' });
        res.end();
        return;
      }
      const relative = path.slice(prefix.length) || 'index.html';
      const file = resolve(root, relative);
      const type = TYPES[extname(file)];
      if (!file.startsWith(root + sep) || !type || !(await isFile(file))) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...CONSOLE_HEADERS });
        res.end('Finnes ikke.');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, ...CONSOLE_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
