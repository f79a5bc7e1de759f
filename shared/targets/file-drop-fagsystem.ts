import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './fs-atomic.ts';
import type { FagsystemShipment, FagsystemTargetAdapter } from './types.ts';

/** The file-drop specialist system: `<dir>/<system>/<trackingId>.<json|xml>`, written whole or not at all. */
export class FileDropFagsystem implements FagsystemTargetAdapter {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async send(shipment: FagsystemShipment) {
    const filename = `${shipment.trackingId}.${shipment.extension}`;
    const path = join(this.dir, shipment.system, filename);
    // Same trackingId, same file name: a redelivery overwrites with the same content, never adds a second order.
    const existed = existsSync(path);
    await writeFileAtomic(path, shipment.body);
    return { references: { fil: `${shipment.system}/${filename}`, ...(existed ? { gjentatt: 'ja' } : {}) } };
  }
}
