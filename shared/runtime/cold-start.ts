import { type FunctionEnv, readFunctionEnv } from './env.ts';
import type { FunctionName } from './functions.ts';

// biome-ignore lint/suspicious/noExplicitAny: any Lambda handler signature
type AnyHandler = (event: any, context: any) => Promise<unknown>;

/**
 * The handler Lambda calls: at the first invocation (the cold start) it reads the function's environment once
 * and builds the real handler from it, with its clients and stores; later invocations reuse that. Nothing is
 * read at import, so the bundle loads anywhere; a start that fails (a variable missing) is tried again by the
 * next invocation. The local hub calls `create` itself, with the environment it wrote for the function.
 */
export function atColdStart<N extends FunctionName, H extends AnyHandler>(
  name: N,
  create: (env: FunctionEnv<N>) => H,
): H {
  let handler: H | undefined;
  return ((event: unknown, context: unknown) => {
    handler ??= create(readFunctionEnv(name));
    return handler(event, context);
  }) as H;
}
