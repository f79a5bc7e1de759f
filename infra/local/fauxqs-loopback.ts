import { Server } from 'node:net';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

/**
 * fauxqs on 127.0.0.1 only. fauxqs 2 has no option for the listen address (its `host` option only names the
 * host in queue URLs): `startFauxqs` calls Fastify's `listen({ port, host: '0.0.0.0' })`, which would serve every
 * stored envelope, fødselsnummer included, to anyone on the network without a signature. While it starts, a
 * wildcard listen is turned into a loopback one; the address it ends up on is checked, so a fauxqs that binds
 * some other way is refused instead of trusted.
 */

export const LOOPBACK = '127.0.0.1';

type FauxqsOptions = NonNullable<Parameters<typeof startFauxqs>[0]>;

const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const originalListen = Server.prototype.listen;
let patched = 0;
/** Servers that started listening while the patch was in place: the check below looks fauxqs's up here. */
const listened = new Set<Server>();

function loopbackListen(this: Server, ...args: unknown[]) {
  listened.add(this);
  const [first] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first) && 'port' in first) {
    const options = first as { host?: string };
    if (options.host === undefined || WILDCARDS.has(options.host)) args[0] = { ...options, host: LOOPBACK };
  }
  return (originalListen as (...a: unknown[]) => Server).apply(this, args);
}

function patchListen() {
  if (patched++ === 0) Server.prototype.listen = loopbackListen as typeof Server.prototype.listen;
}

function unpatchListen() {
  if (--patched === 0) {
    Server.prototype.listen = originalListen;
    listened.clear();
  }
}

/** Where the server on this port that started during the patch is bound; undefined if none was seen. */
function boundAddress(port: number): string | undefined {
  for (const server of listened) {
    const address = server.address();
    if (typeof address === 'object' && address?.port === port) return address.address;
  }
  return undefined;
}

export async function startLoopbackFauxqs(options: Omit<FauxqsOptions, 'host'>): Promise<FauxqsServer> {
  patchListen();
  let server: FauxqsServer | undefined;
  let bound: string | undefined;
  try {
    server = await startFauxqs(options);
    bound = boundAddress(server.port);
  } finally {
    unpatchListen();
  }
  if (bound !== LOOPBACK) {
    await server.stop();
    throw new Error(
      `fauxqs listened on ${bound ?? 'an address we could not see'} instead of ${LOOPBACK}; ` +
        'refusing to run it where others could reach it (has fauxqs changed how it listens?).',
    );
  }
  return server;
}
