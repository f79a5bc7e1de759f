import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact.ts';

/**
 * One logger per function. Log ids (trackingId, deliveryId, target), never personal data: no names,
 * fødselsnummer, form content or request bodies. As a second net every line passes the redactor, which
 * blanks fields such as name, address and nationalId and any fødselsnummer-shaped number, even when the
 * Lambda event itself is logged (POWERTOOLS_LOGGER_LOG_EVENT).
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName,
    jsonReplacerFn: redactingReplacer,
  });
}
