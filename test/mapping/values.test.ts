import { describe, expect, it } from 'vitest';
import { ExpressionError, ExpressionSet } from '../../shared/mapping/expressions.ts';
import { compileValue, pathsOf } from '../../shared/mapping/values.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';

const form = parseFormData(
  'application/xml',
  `<melding><soker><fornavn>Åse</fornavn><etternavn>Østby</etternavn></soker>
   <stilling><prosent>80,5</prosent></stilling><tilganger><tilgang>Gerica</tilgang></tilganger></melding>`,
).data;

async function evaluate(spec: string, data = form) {
  const expressions = new ExpressionSet();
  const value = compileValue(spec, expressions, '/test');
  await expressions.evaluate(data);
  return value(data);
}

describe('JSONata in a value spec ("{% … %}", as in AWS Step Functions)', () => {
  it('says what paths and templates cannot: conversions, lists that stay lists', async () => {
    expect(await evaluate("{% $number($replace(stilling.prosent, ',', '.')) %}")).toBe(80.5);
    // One repeated XML element parses as a single value; the array constructor keeps it a list.
    expect(await evaluate('{% [tilganger.tilgang] %}')).toEqual(['Gerica']);
    expect(await evaluate('{% soker.mellomnavn ? soker.mellomnavn : soker.fornavn %}')).toBe('Åse');
  });

  it('keeps each message’s results to that message', async () => {
    const expressions = new ExpressionSet();
    const value = compileValue('{% $uppercase(soker.fornavn) %}', expressions, '/test');
    const other = { soker: { fornavn: 'Kari' } };
    await Promise.all([expressions.evaluate(form), expressions.evaluate(other)]);
    expect([value(form), value(other)]).toEqual(['ÅSE', 'KARI']);
  });

  it('refuses a broken expression when it is compiled, and where expressions are not allowed', () => {
    expect(() => compileValue('{% $join(soker.fornavn, %}', new ExpressionSet())).toThrow(/^JSONata: /);
    expect(() => compileValue('{% soker.fornavn %}')).toThrow('not allowed here');
    expect(() => compileValue('Søknad {% soker.fornavn %}')).toThrow('must be the whole value');
  });

  it('stops a runaway expression instead of hanging the delivery', async () => {
    const failure = await evaluate('{% ($f := function($x) { $f($x + 1) }; $f(0)) %}').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ExpressionError);
    expect((failure as ExpressionError).code).toMatch(/^D101[12]$/);
  });

  it('tells which form fields a rule reads', () => {
    expect(pathsOf('Søknad – {soker.fornavn} {soker.etternavn}')).toEqual(['soker.fornavn', 'soker.etternavn']);
    expect(pathsOf('soker.fornavn')).toEqual(['soker.fornavn']);
    expect(pathsOf('=Tjenestekontoret')).toEqual([]);
    expect(pathsOf('{% soker.fornavn %}')).toEqual([]);
  });
});
