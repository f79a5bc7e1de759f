/** A fault no retry can mend (the mapping cannot be made, the target refused the content): FAILED at once. */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

/** The error as stored on the delivery and shown to providers and staff: short, and without request data. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'Ukjent feil';
  const text = `${error.message}`.replace(/\b\d{11}\b/g, '***********');
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
