/**
 * oidc-provider's two start-up warnings that do not apply to the local stand-ins are left out; any other gets
 * through. It warns at import on a Node.js release outside an LTS line (the pinned Node 24.9 predates 24's LTS,
 * 24.11), and about its in-memory store: the stand-ins keep nothing worth keeping across a restart.
 */
export async function quietly<T>(run: () => T | Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /Unsupported runtime|in-memory adapter/.test(args[0])) return;
    warn(...args);
  };
  try {
    return await run();
  } finally {
    console.warn = warn;
  }
}
