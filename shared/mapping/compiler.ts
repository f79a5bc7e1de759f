/**
 * Compiling a definition's value specs, once: each compiled value keeps its rule and its place in the definition,
 * so a value that comes out wrong at run time can say which rule and which form fields. Compile problems are
 * collected as issues (JSON pointer + message), for the configuration loader to report with the file name.
 */
import { ADVICE, MappingError } from './errors.ts';
import { type ExpressionError, ExpressionSet } from './expressions.ts';
import { asText, type CompiledValue, compilePath, compileValue, type Data, isExpression, pathsOf } from './values.ts';

export interface Value {
  get: CompiledValue;
  /** The rule as written */
  spec: string;
  /** JSON pointer into the definition */
  field: string;
}

export interface Issue {
  path: string;
  message: string;
}

export class DefinitionCompiler {
  readonly formType: string;
  readonly issues: Issue[] = [];
  readonly expressions = new ExpressionSet();

  constructor(formType: string) {
    this.formType = formType;
  }

  value(spec: string, field: string): Value {
    try {
      return { get: compileValue(spec, this.expressions, field), spec, field };
    } catch (error) {
      this.issue(field, (error as Error).message);
      return { get: () => undefined, spec, field };
    }
  }

  optional(spec: string | undefined, field: string): Value | undefined {
    return spec === undefined ? undefined : this.value(spec, field);
  }

  issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }
}

/** The value as archive text; undefined when empty. */
export function text(value: Value | undefined, data: Data): string | undefined {
  return value ? asText(value.get(data)) : undefined;
}

/** The value as archive text, or a MappingError that names the field, the rule and the empty form fields. */
export function requireText(value: Value, data: Data, formType: string, label: string): string {
  const result = text(value, data);
  if (result !== undefined) return result;
  throw new MappingError({
    formType,
    field: value.field,
    label,
    problem: isExpression(value.spec) ? 'ble tom (uttrykket ga ingen verdi)' : 'ble tom',
    rule: value.spec,
    formFields: emptyFields(value, data),
    advice: ADVICE.empty,
  });
}

/** The form fields a rule reads that are empty in this submission (only computed when something failed). */
export function emptyFields(value: Value, data: Data): string[] {
  return pathsOf(value.spec).filter((path) => {
    try {
      return asText(compilePath(path)(data)) === undefined;
    } catch {
      return true;
    }
  });
}

/** A failed JSONata expression as the clerk sees it. */
export function expressionFault(formType: string, error: ExpressionError, label: string): MappingError {
  return new MappingError({
    formType,
    field: error.item.field,
    label,
    problem: `kunne ikke beregnes (JSONata ${error.code}: ${error.message})`,
    rule: `{% ${error.item.source} %}`,
    advice: ADVICE.expression,
  });
}
