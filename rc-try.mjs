import { check } from 'recheck';
import { fullFormats } from 'ajv-formats/dist/formats.js';
const pats = [
  [fullFormats.email.source, fullFormats.email.flags],
  [String.raw`^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$`,''],
  [String.raw`<(\/?)([\w:.-]+)(?:[^\w:.<>-][^<>]*)?>`,'g'],
  [String.raw`^\d\d\d\d-\d\d-\d\d`, ''],
];
for (const [s,f] of pats) { const r = await check(s,f); console.log(r.status, r.checker, r.complexity?.summary ?? r.error?.kind, s); }
process.exit(0);
