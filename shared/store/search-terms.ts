import { createHmac } from 'node:crypto';

/**
 * The words a submission can be found by at the service desk: each word of the submitter's name and the
 * provider's submissionId, in one normal form, so "Østby", "østby" and an "ø" typed as o + stroke all match.
 */

const MAX_TERMS = 12;
const MAX_TERM_LENGTH = 64;

/** Lower case (Norwegian rules), Unicode NFC, no '#' (the index's separator), at most 64 characters. */
export function normaliseTerm(word: string): string {
  return word.normalize('NFC').toLocaleLowerCase('nb').replaceAll('#', '').trim().slice(0, MAX_TERM_LENGTH);
}

/** A name or a query split into words: on spaces, hyphens and commas ("Østby-Lærum" → østby, lærum). */
export function nameWords(text: string): string[] {
  return text
    .split(/[\s,\u2010-\u2015-]+/u)
    .map(normaliseTerm)
    .filter((w) => w.length > 0);
}

/** Marks a term that is an id written backwards: the end of an id is found as the start of that. */
export const REVERSED = '~';

/** An id's end, as the term that finds it ("…0426d5" → "~5d6240"). */
export function reversedTerm(id: string): string {
  return `${REVERSED}${[...normaliseTerm(id)].reverse().join('')}`.slice(0, MAX_TERM_LENGTH);
}

/** Marks a keyed hash of a fødselsnummer: the number itself is never in the index. */
export const NATIONAL_ID = '=';

/**
 * The term a fødselsnummer is found by: HMAC-SHA-256 with the deployment's secret (the folder keys' secret, under
 * its own context, so the two never compare), 128 bits. Without the secret nobody can tell whose it is.
 */
export function nationalIdTerm(nationalId: string, secret: Buffer): string {
  const mac = createHmac('sha256', secret).update(`search\u0000${nationalId.trim()}`, 'utf8').digest('hex');
  return `${NATIONAL_ID}${mac.slice(0, 32)}`;
}

/** Who else a submission is about (the form type's `search.person`): name words and keyed fødselsnummer terms. */
export interface PersonTerms {
  names?: readonly string[];
  nationalIdTerms?: readonly string[];
}

/**
 * The search terms stored for one submission: its name words and its submissionId, without repeats; with the
 * trackingId, also both ids backwards (so staff find a submission by the last characters a caller reads out); and
 * the words of the name of the person the form is about and the keyed terms of fødselsnumre.
 */
export function searchTerms(
  submitterName: string | undefined,
  submissionId: string,
  trackingId?: string,
  person: PersonTerms = {},
): string[] {
  const ids = trackingId ? [reversedTerm(submissionId), reversedTerm(trackingId)] : [];
  const terms = new Set([normaliseTerm(submissionId), ...ids, ...nameWords(submitterName ?? '')]);
  terms.delete('');
  terms.delete(REVERSED);
  const base = [...terms].slice(0, MAX_TERMS + ids.length);
  const personWords = (person.names ?? [])
    .flatMap((n) => nameWords(n))
    .filter((w) => !base.includes(w))
    .slice(0, MAX_TERMS);
  const keys = (person.nationalIdTerms ?? []).slice(0, 4);
  return [...new Set([...base, ...personWords, ...keys])];
}
