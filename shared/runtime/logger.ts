import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per function. Log ids (trackingId, deliveryId, target), never personal data: no names,
 * fødselsnummer, form content or request bodies.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}
