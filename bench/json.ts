/**
 * results.json as the repository's formatter (biome) writes JSON: objects expanded, arrays of plain values on one
 * line when they fit in 120 columns (numbers fill the lines when they do not). Measured values keep four significant digits; more would be noise.
 */
const WIDTH = 120;

export function resultsJson(value: unknown): string {
  const text = JSON.stringify(
    value,
    (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v),
    2,
  );
  // An array whose items are all numbers, strings, booleans or null: put it on one line if it fits.
  const collapsed = text.replace(
    /^( *)(.*)\[\n((?:\1 {2}(?:-?[\d.e+-]+|"(?:[^"\\]|\\.)*"|true|false|null),?\n)+)\1\](,?)/gm,
    (whole, indent: string, head: string, body: string, comma: string) => {
      const items = body
        .trim()
        .split('\n')
        .map((line) => line.trim().replace(/,$/, ''));
      const line = `${indent}${head}[${items.join(', ')}]${comma}`;
      if (line.length <= WIDTH) return line;
      // Numbers that do not fit on one line fill the lines, as many to a line as fit.
      if (!items.every((item) => /^-?[\d.e+-]+$/.test(item))) return whole;
      const lines: string[] = [];
      let current = '';
      for (const item of items) {
        const next = current ? `${current}, ${item}` : item;
        if (current && `${indent}  ${next},`.length > WIDTH) {
          lines.push(`${indent}  ${current},`);
          current = item;
        } else current = next;
      }
      lines.push(`${indent}  ${current}`);
      return `${indent}${head}[\n${lines.join('\n')}\n${indent}]${comma}`;
    },
  );
  return `${collapsed}\n`;
}
