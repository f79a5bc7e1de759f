/**
 * What of an error may be logged: its name and stack frames, not its message (messages can quote
 * request data such as names or fødselsnummer).
 */
export function loggableError(error: unknown): { errorName: string; frames?: string } {
  if (!(error instanceof Error)) return { errorName: typeof error };
  return { errorName: error.name, frames: error.stack?.split('\n').slice(1, 6).join('\n') };
}
