/**
 * The sandbox's failing targets: a file-drop target with `simulate` set answers every delivery with the failure a
 * provider wants to see end to end (an archive that rejects the record, or one that is down), as the real
 * adapters raise them, so the statuses, retries, webhooks and the console behave as they would. Only in a
 * deployment with `"environment": "test"` (the configuration check refuses it elsewhere).
 */
import type { FileDropTransport } from '../config/types.ts';
import { fail, type TargetKind } from '../delivery/failures.ts';
import type { ArchiveTargetAdapter, FagsystemTargetAdapter } from './types.ts';

export type Simulated = NonNullable<FileDropTransport['simulate']>;

const WHO: Record<TargetKind, string> = { archive: 'Arkivet', fagsystem: 'Fagsystemet' };

export class SimulatedFailure implements ArchiveTargetAdapter, FagsystemTargetAdapter {
  private readonly kind: TargetKind;
  private readonly simulate: Simulated;

  constructor(kind: TargetKind, simulate: Simulated) {
    this.kind = kind;
    this.simulate = simulate;
  }

  async send(): Promise<never> {
    if (this.simulate === 'rejected') {
      // Not retried: a rejection needs a person (or a corrected submission), as with a real archive.
      throw fail.rejected(this.kind, `${WHO[this.kind]} i sandkassen avviste forsendelsen (simulert avvisning).`, {
        errorType: 'ugyldigforespoersel',
        targetMessage: 'Sandkasse: simulert avvisning',
      });
    }
    // Retried with backoff until the last attempt, then FAILED: as when the real system is down.
    throw fail.unavailable(this.kind, `${WHO[this.kind]} i sandkassen svarer ikke (simulert nedetid).`, {
      reason: 'network',
      code: 'ECONNREFUSED',
    });
  }
}
