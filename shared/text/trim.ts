/**
 * Small text helpers written as loops, not regular expressions: `/x+$/` backtracks quadratically on a long run of x
 * followed by anything else (the ReDoS audit in test/security/redos.test.ts finds it).
 */

/** `value` without any of `characters` at its end, however many there are. */
export function trimEndOf(value: string, characters: string): string {
  let end = value.length;
  while (end > 0 && characters.includes(value[end - 1] as string)) end--;
  return value.slice(0, end);
}

/** Each `-----BEGIN <label>-----` … `-----END <label>-----` block of a PEM text, in order, markers included. */
export function pemBlocks(pem: string, label: string): string[] {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const blocks: string[] = [];
  let from = 0;
  for (;;) {
    const start = pem.indexOf(begin, from);
    if (start < 0) return blocks;
    const stop = pem.indexOf(end, start + begin.length);
    if (stop < 0) return blocks;
    blocks.push(pem.slice(start, stop + end.length));
    from = stop + end.length;
  }
}
