import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { check } from 'recheck';
function* files(dir){ for (const f of readdirSync(dir)) { const p=join(dir,f); if (statSync(p).isDirectory()) yield* files(p); else if (/\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')) yield p; } }
const found=[];
for (const dir of ['shared','functions','infra','console']) for (const file of files(dir)) {
  if (file.startsWith('shared/validators')) continue;
  const sf = ts.createSourceFile(file, readFileSync(file,'utf8'), ts.ScriptTarget.Latest, true);
  const visit=(n)=>{ if (n.kind===ts.SyntaxKind.RegularExpressionLiteral){ const t=n.text; const i=t.lastIndexOf('/'); found.push({file, line: sf.getLineAndCharacterOfPosition(n.getStart()).line+1, source:t.slice(1,i), flags:t.slice(i+1)});} ts.forEachChild(n,visit); };
  visit(sf);
}
console.log(found.length);
for (const r of found) { const d = await check(r.source, r.flags); if (d.status!=='safe') console.log(d.status, d.complexity?.summary ?? d.error?.kind, `${r.file}:${r.line}`, `/${r.source}/${r.flags}`); }
process.exit(0);
