/**
 * JSONata expressions in mapping definitions, "{% … %}" (see values.ts for the value language). Only the mappings
 * load this module, and with it jsonata.
 */
import jsonata from 'jsonata';
import type { CompiledValue, Data } from './values.ts';

/** A runaway expression must not hold a delivery until the function times out. */
const JSONATA_GUARDRAILS = { timeout: 1000, stack: 500 };

export interface ExpressionItem {
  source: string;
  /** Where in the definition the expression stands, e.g. "payloads/lonn/template/stilling/stillingsprosent" */
  field: string;
}

/** A failed JSONata evaluation, with the definition field it belongs to. */
export class ExpressionError extends Error {
  readonly item: ExpressionItem;
  readonly code: string;
  constructor(item: ExpressionItem, code: string, message: string) {
    super(message);
    this.name = 'ExpressionError';
    this.item = item;
    this.code = code;
  }
}

/**
 * The JSONata expressions of one compiled mapping. `evaluate` runs them all for one message and keeps the results
 * beside that message's data (a WeakMap, so nothing outlives the message); the compiled getters read them.
 */
export class ExpressionSet {
  readonly #items: (ExpressionItem & { expression: jsonata.Expression })[] = [];
  readonly #results = new WeakMap<Data, unknown[]>();

  add(source: string, field: string): CompiledValue {
    let expression: jsonata.Expression;
    try {
      expression = jsonata(source, JSONATA_GUARDRAILS);
    } catch (error) {
      const e = error as { code?: string; message?: string; position?: number };
      throw new Error(`JSONata: ${e.message ?? 'syntax error'}${e.position ? ` (at character ${e.position})` : ''}`);
    }
    const index = this.#items.push({ source, field, expression }) - 1;
    return (data) => this.#results.get(data)?.[index];
  }

  get size(): number {
    return this.#items.length;
  }

  async evaluate(data: Data): Promise<void> {
    if (this.#items.length === 0) return;
    const values = await Promise.all(
      this.#items.map(async (item) => {
        try {
          return plain(await item.expression.evaluate(data));
        } catch (error) {
          const e = error as { code?: string; message?: string; value?: unknown };
          // JSONata messages can quote a value from the form: leave the value out.
          const value = e.value === undefined ? '' : String(e.value);
          const message = e.message ?? 'evaluation failed';
          const safe = value.length >= 3 ? message.replaceAll(value, '…') : message;
          throw new ExpressionError({ source: item.source, field: item.field }, e.code ?? 'JSONata', safe);
        }
      }),
    );
    this.#results.set(data, values);
  }
}

/** JSONata sequences are arrays with extra flags; payloads get plain arrays. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return typeof value === 'function' ? undefined : value;
}
