import type { ArchiveTarget, FagsystemTarget } from '../config/types.ts';
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
      target.transport.type === 'http' ? new HttpArchive(target.transport) : new FileDropArchive(target.transport.dir);
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
        : new FileDropFagsystem(target.transport.dir);
    adapters.set(target.id, adapter);
  }
  return adapter;
}
