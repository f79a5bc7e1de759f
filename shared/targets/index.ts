import type { ArchiveTarget, FagsystemTarget } from '../config/types.ts';
import { fail } from '../delivery/failures.ts';
import { FiksIoArchive } from './fiks-io-archive.ts';
import type { SecretReader } from './fiks-io-connection.ts';
import { FileDropArchive } from './file-drop-archive.ts';
import { FileDropFagsystem } from './file-drop-fagsystem.ts';
import { HttpArchive } from './http-archive.ts';
import type { Secrets } from './http-client.ts';
import { HttpFagsystem } from './http-fagsystem.ts';
import { SimulatedFailure } from './simulated-failure.ts';
import type { ArchiveTargetAdapter, FagsystemTargetAdapter } from './types.ts';

/**
 * One adapter per target per configuration read (per cold start): keyed by the target object of the function's
 * own registry, so hubs in one process never share one.
 */
const adapters = new WeakMap<ArchiveTarget | FagsystemTarget, ArchiveTargetAdapter | FagsystemTargetAdapter>();

/**
 * The adapter for a target's transport; `secrets` holds its credential (`transport.auth.secret.env`), and
 * `fiksIoSecrets` a Fiks IO transport's certificates, keys and password (the same store by default).
 */
export function archiveAdapterFor(
  target: ArchiveTarget,
  secrets: Secrets,
  fiksIoSecrets: SecretReader = (ref) => secrets.get(ref.env),
): ArchiveTargetAdapter {
  let adapter = adapters.get(target) as ArchiveTargetAdapter | undefined;
  if (!adapter) {
    adapter =
      target.transport.type === 'fiks-io'
        ? new FiksIoArchive(target.transport, { secrets: fiksIoSecrets })
        : target.transport.type === 'http'
          ? new HttpArchive(target.transport, secrets)
          : target.transport.simulate
            ? new SimulatedFailure('archive', target.transport.simulate)
            : new FileDropArchive(target.transport.dir);
    adapters.set(target, adapter);
  }
  return adapter;
}

export function fagsystemAdapterFor(target: FagsystemTarget, secrets: Secrets): FagsystemTargetAdapter {
  let adapter = adapters.get(target) as FagsystemTargetAdapter | undefined;
  if (!adapter) {
    adapter =
      target.transport.type === 'http'
        ? new HttpFagsystem(target.transport, secrets)
        : target.transport.type === 'file-drop'
          ? target.transport.simulate
            ? new SimulatedFailure('fagsystem', target.transport.simulate)
            : new FileDropFagsystem(target.transport.dir)
          : unsupported(target);
    adapters.set(target, adapter);
  }
  return adapter;
}

/** The configuration check refuses Fiks IO for a specialist system; a file that slipped past it fails here. */
function unsupported(target: FagsystemTarget): never {
  throw fail.configuration('target', target.id, `Målet ${target.id} kan ikke nås med ${target.transport.type}.`);
}
