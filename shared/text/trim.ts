/**
 * Small text helpers written as loops, not regular expressions: `/x+$/` backtracks quadratically on a long run of x
 * followed by anything else (the ReDoS audit in test/security/redos.test.ts finds it).
 */

/** The text without the given character at its end, however many there are. */
export function trimEnd(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return text.slice(0, end);
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
