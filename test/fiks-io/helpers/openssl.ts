/**
 * OpenSSL as the independent reference for the CMS and ASiC tests: certificates are made by `openssl req` (test-only,
 * in a temporary folder, thrown away), and `openssl cms` opens what we make and makes what we must open.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyPairIdentity, loadIdentity } from '../../../shared/fiks-io/cms.ts';

export function requireOpenssl(): void {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('Install OpenSSL: apt-get install openssl');
}

export interface TestIdentity extends KeyPairIdentity {
  certPath: string;
  keyPath: string;
  keyPem: string;
}

export class OpensslDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'skjemaflyt-fiksio-'));
  private n = 0;

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, data: Uint8Array | string): string {
    const p = this.path(name);
    writeFileSync(p, data);
    return p;
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  /** A self-signed RSA-2048 test certificate and key (test-only, valid two days). */
  identity(cn: string): TestIdentity {
    const id = ++this.n;
    const keyPath = this.path(`key-${id}.pem`);
    const certPath = this.path(`cert-${id}.pem`);
    this.openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/O=Test ${cn}/CN=${cn}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
    const keyPem = readFileSync(keyPath, 'utf8');
    return { ...loadIdentity(readFileSync(certPath, 'utf8'), keyPem), certPath, keyPath, keyPem };
  }

  /** Runs openssl; throws with its stderr on a non-zero exit. */
  openssl(args: string[], input?: Uint8Array): Buffer {
    return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** Exit status of openssl (for checks that must fail). */
  status(args: string[]): number {
    return spawnSync('openssl', args, { stdio: 'ignore' }).status ?? -1;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
