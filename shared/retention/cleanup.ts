import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Registry } from '../config/registry.ts';
import type { AuditEntry, DeliveryRecord, SubmissionRecord } from '../store/records.ts';
import { deletableFrom, personalDataRetentionDaysFor, retentionVerdict } from './rule.ts';

/** Where receive stores originals and documents: `submissions/<trackingId>/…` (see DocumentStore). */
export const SUBMISSIONS_PREFIX = 'submissions/';

export interface RetentionDeps {
  registry: Registry;
  store: {
    get(trackingId: string): Promise<{ submission: SubmissionRecord; deliveries: DeliveryRecord[] } | undefined>;
    recordAudit(delivery: DeliveryRecord, entry: AuditEntry): Promise<void>;
    /** The table's personal data of a submission (shared/store/dynamodb/personal-data.ts) */
    personalData: {
      schedule(trackingId: string, due: Date): Promise<void>;
      listDue(now: Date, limit?: number): Promise<string[]>;
      remove(trackingId: string, note: AuditEntry): Promise<void>;
    };
  };
  s3: S3Client;
  bucket: string;
  now?: () => Date;
  /** Submissions examined at once (default 16): each is a few sequential calls, so one at a time is slow */
  concurrency?: number;
  /** Epoch ms after which no new submission is taken (the function's time running out); the next run goes on */
  deadline?: number;
}

export interface RetentionReport {
  examined: number;
  /** trackingIds whose objects were deleted */
  deleted: string[];
  /** objects deleted */
  objects: number;
  /** trackingIds whose personal data (name, titles, search entries) was removed from the table */
  anonymised: string[];
  /** False when the run stopped at its deadline before it had seen every submission */
  complete: boolean;
}

/**
 * One pass of the retention rule over the bucket: every submission that still has objects is looked up,
 * and its objects are deleted when the rule says so. Safe to run any time and as often as wanted (a
 * scheduled function on AWS, a timer in the local runner); it deletes objects only, the status stays, and each
 * delivery of the submission gets a note of it (shown in the console's history).
 */
export async function runRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const now = (deps.now ?? (() => new Date()))();
  const concurrency = Math.max(1, deps.concurrency ?? 16);
  const report: RetentionReport = { examined: 0, deleted: [], objects: 0, anonymised: [], complete: true };
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const trackingId of submissionPrefixes(deps)) {
    if (failure) break;
    if (deps.deadline !== undefined && Date.now() >= deps.deadline) {
      report.complete = false;
      break;
    }
    const examining: Promise<void> = examine(trackingId, deps, now, report)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(examining));
    inFlight.add(examining);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  await removePersonalData(deps, now, report);
  return report;
}

/** The table's personal data of every submission whose time is up (planned when its documents went). */
async function removePersonalData(deps: RetentionDeps, now: Date, report: RetentionReport): Promise<void> {
  for (;;) {
    if (deps.deadline !== undefined && Date.now() >= deps.deadline) {
      report.complete = false;
      return;
    }
    // The index may still list what was just removed (it is eventually consistent): stop at a page of those.
    const due = (await deps.store.personalData.listDue(now, 25)).filter((id) => !report.anonymised.includes(id));
    if (due.length === 0) return;
    for (const trackingId of due) {
      await deps.store.personalData.remove(trackingId, {
        at: now.toISOString(),
        by: 'Skjemaflyt (oppbevaringsregelen)',
        action: 'personal-data-removed',
        detail: 'Navn, dokumenttitler og søkeord er fjernet: oppbevaringstiden for personopplysninger er ute.',
      });
      report.anonymised.push(trackingId);
    }
  }
}

/** One submission: its objects deleted if the rule says so, with a note on each of its deliveries. */
async function examine(trackingId: string, deps: RetentionDeps, now: Date, report: RetentionReport): Promise<void> {
  report.examined++;
  const objects = await listObjects(deps, `${SUBMISSIONS_PREFIX}${trackingId}/`);
  if (objects.length === 0) return;
  const found = await deps.store.get(trackingId);
  const formType = found ? deps.registry.formType(found.submission.municipality, found.submission.formType) : undefined;
  const storedAt = new Date(Math.min(...objects.map((o) => o.lastModified.getTime())));
  const verdict = retentionVerdict(found, formType, storedAt, now);
  if (verdict.action !== 'delete') return;
  await deleteObjects(
    deps,
    objects.map((o) => o.key),
  );
  // Staff who open the submission later see when its documents went, and why (not a status change).
  const entry: AuditEntry = {
    at: now.toISOString(),
    by: 'Skjemaflyt (oppbevaringsregelen)',
    action: 'documents-deleted',
    detail: `Originalen og dokumentene (${objects.length} filer) er slettet: oppbevaringstiden er ute.`,
  };
  for (const delivery of found?.deliveries ?? []) await deps.store.recordAudit(delivery, entry);
  // The name, titles and search entries in the table go later, by the form type's own clock.
  const personalDataFrom = found && deletableFrom(found.deliveries, personalDataRetentionDaysFor(formType));
  if (found && personalDataFrom) await deps.store.personalData.schedule(trackingId, personalDataFrom);
  report.deleted.push(trackingId);
  report.objects += objects.length;
}

async function* submissionPrefixes(deps: RetentionDeps): AsyncGenerator<string> {
  let ContinuationToken: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: SUBMISSIONS_PREFIX, Delimiter: '/', ContinuationToken }),
    );
    for (const p of page.CommonPrefixes ?? []) {
      const trackingId = p.Prefix?.slice(SUBMISSIONS_PREFIX.length, -1);
      if (trackingId) yield trackingId;
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
}

async function listObjects(deps: RetentionDeps, prefix: string): Promise<{ key: string; lastModified: Date }[]> {
  const objects: { key: string; lastModified: Date }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key) objects.push({ key: o.Key, lastModified: o.LastModified ?? new Date(0) });
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return objects;
}

async function deleteObjects(deps: RetentionDeps, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const result = await deps.s3.send(
      new DeleteObjectsCommand({
        Bucket: deps.bucket,
        Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    if (result.Errors?.length) throw new Error(`Could not delete ${result.Errors.length} object(s)`);
  }
}
