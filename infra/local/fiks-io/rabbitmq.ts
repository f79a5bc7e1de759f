/**
 * Debian's rabbitmq-server (the real broker Fiks IO runs on) as a plain child process: its own data folder, node
 * name and free ports, everything on 127.0.0.1 (see /work/shared/notes/rabbitmq-local.md). Optionally with the HTTP
 * auth backend, so a local Fiks IO can check "<IntegrasjonPassord> <token>" passwords and per-queue rights itself;
 * the built-in `guest` user (loopback only) stays for the stand-in's own connection.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trimEndOf } from '../../../shared/text/trim.ts';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';
export const INSTALL_HINT = 'Install RabbitMQ: apt-get install rabbitmq-server';

export interface Broker {
  /** amqp://127.0.0.1:<port> (no credentials). */
  url: string;
  port: number;
  /** The same URL with guest/guest: the stand-in's own (loopback-only) account. */
  adminUrl: string;
  /** Runs rabbitmqctl against this node (e.g. `list_queues`); returns stdout. */
  ctl(args: string[]): string;
  stop(): Promise<void>;
}

export interface BrokerOptions {
  /** Where the node keeps its data and logs; a temporary folder (removed on stop) if not given. */
  dataDir?: string;
  /** Base URL of an HTTP auth backend (rabbitmq_auth_backend_http): `<base>/user`, `/vhost`, `/resource`, `/topic`. */
  httpAuthUrl?: string;
  /** How long to wait for the broker to accept connections. Default 90 s. */
  startTimeoutMs?: number;
}

/** Fails fast with one line when the package is missing. */
export function requireRabbitMq(): void {
  if (!existsSync(SERVER) || !existsSync(CTL)) throw new Error(INSTALL_HINT);
}

export async function startRabbitMq(options: BrokerOptions = {}): Promise<Broker> {
  requireRabbitMq();
  const temporary = !options.dataDir;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'skjemaflyt-rabbit-'));
  mkdirSync(dir, { recursive: true });
  const [port, distPort] = [await freePort(), await freePort()];
  const node = `skjemaflyt-${process.pid}-${port}@localhost`;
  const conf = [
    'loopback_users.guest = true',
    // A busy CI disk must not block publishers (the default alarm is at 50 MB free).
    'disk_free_limit.absolute = 1MB',
    'log.console = false',
    'log.file.level = warning',
  ];
  if (options.httpAuthUrl) {
    const base = trimEndOf(options.httpAuthUrl, '/');
    conf.push(
      'auth_backends.1 = internal',
      'auth_backends.2 = http',
      'auth_http.http_method = post',
      `auth_http.user_path = ${base}/user`,
      `auth_http.vhost_path = ${base}/vhost`,
      `auth_http.resource_path = ${base}/resource`,
      `auth_http.topic_path = ${base}/topic`,
    );
  }
  writeFileSync(join(dir, 'rabbitmq.conf'), `${conf.join('\n')}\n`);
  writeFileSync(join(dir, 'enabled_plugins'), options.httpAuthUrl ? '[rabbitmq_auth_backend_http].\n' : '[].\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    // The Erlang distribution port and epmd otherwise listen on every interface.
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  // Its own process group, so stop() ends the broker and its helpers (not epmd, a shared daemon) and nothing else.
  const child = spawn(SERVER, [], { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  while (!(await amqpAnswers(port))) {
    if (exited !== undefined) {
      throw new Error(`RabbitMQ exited (${exited}) while starting: ${lastLines(output, dir)}`);
    }
    if (Date.now() > deadline) {
      stopGroup(child);
      throw new Error(`RabbitMQ did not start within the timeout: ${lastLines(output, dir)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  const url = `amqp://127.0.0.1:${port}`;
  return {
    url,
    port,
    adminUrl: `amqp://guest:guest@127.0.0.1:${port}`,
    ctl(args) {
      const run = spawnSync(CTL, ['-n', node, ...args], { env, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`rabbitmqctl ${args[0]} failed: ${run.stderr.slice(-500)}`);
      return run.stdout;
    },
    async stop() {
      if (exited === undefined) {
        const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        stopGroup(child);
        const timer = setTimeout(() => stopGroup(child, 'SIGKILL'), 20_000);
        await done;
        clearTimeout(timer);
      }
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** True once something on the port answers an AMQP 0-9-1 protocol header with connection.start. */
function amqpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.length > 7 && data[0] === 1));
    socket.connect(port, '127.0.0.1', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function lastLines(output: string, dir: string): string {
  let log = '';
  try {
    const logDir = join(dir, 'log');
    for (const f of existsSync(logDir) ? readdirSync(logDir) : []) log += readFileSync(join(logDir, f), 'utf8');
  } catch {
    // No log yet.
  }
  return `${output}\n${log}`.trim().split('\n').slice(-8).join(' | ').slice(-1500);
}
