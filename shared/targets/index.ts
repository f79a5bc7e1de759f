import type { ArchiveTarget, FagsystemTarget } from '../config/types.ts';
import { fail } from '../delivery/failures.ts';
import { FiksIoArchive } from './fiks-io-archive.ts';
import { FileDropArchive } from './file-drop-archive.ts';
import { FileDropFagsystem } from './file-drop-fagsystem.ts';
import { HttpArchive } from './http-archive.ts';
import { HttpFagsystem } from './http-fagsystem.ts';
import type { ArchiveTargetAdapter, FagsystemTargetAdapter } from './types.ts';

const adapters = new Map<string, ArchiveTargetAdapter | FagsystemTargetAdapter>();

/** The adapter for a target's transport, one per target per cold start. */
export function archiveAdapterFor(target: ArchiveTarget): ArchiveTargetAdapter {
  let adapter = adapters.get(target.id) as ArchiveTargetAdapter | undefined;
  if (!adapter) {
    adapter =
      target.transport.type === 'fiks-io'
        ? new FiksIoArchive(target.transport)
        : target.transport.type === 'http'
          ? new HttpArchive(target.transport)
          : new FileDropArchive(target.transport.dir);
    adapters.set(target.id, adapter);
  }
  return adapter;
}

export function fagsystemAdapterFor(target: FagsystemTarget): FagsystemTargetAdapter {
  let adapter = adapters.get(target.id) as FagsystemTargetAdapter | undefined;
  if (!adapter) {
    adapter =
      target.transport.type === 'http'
        ? new HttpFagsystem(target.transport)
        : target.transport.type === 'file-drop'
          ? new FileDropFagsystem(target.transport.dir)
          : unsupported(target);
    adapters.set(target.id, adapter);
  }
  return adapter;
}

/** The configuration check refuses Fiks IO for a specialist system; a file that slipped past it fails here. */
function unsupported(target: FagsystemTarget): never {
  throw fail.configuration('target', target.id, `Målet ${target.id} kan ikke nås med ${target.transport.type}.`);
}
