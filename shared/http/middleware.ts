import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthenticationError, NotRecognisedError } from '../auth/errors.ts';
import { Rejection } from '../domain/rejection.ts';
import { loggableError } from '../runtime/safe-error.ts';
import { HttpProblem, problemFor, problemOf, problemResponse, problems } from './problem.ts';

/**
 * Renders typed errors as problem+json; anything unexpected becomes a 500 with no internals,
 * logged by name and stack only (messages may carry request data).
 */
export function problemDetails(
  logger: Logger,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const error = request.error;
      const instance = request.event.requestContext?.requestId;
      if (error instanceof Rejection) {
        request.response = problemResponse(problemFor(error), instance);
      } else if (error instanceof HttpProblem) {
        request.response = problemResponse(error, instance);
      } else if (error instanceof AuthenticationError) {
        request.response = problemResponse(problems.unauthorized(error.message, error.reason), instance);
      } else if (error instanceof NotRecognisedError) {
        request.response = problemResponse(problemOf('unknown-provider', error.detail), instance);
      } else if (isTransient(error)) {
        // The store or the queue said "not now": nothing was confirmed, and the same request again is safe.
        logger.warn('Transient failure; answered 503', loggableError(error));
        request.response = problemResponse(
          problemOf(
            'unavailable',
            'Skjemaflyt kunne ikke fullføre forespørselen akkurat nå. Send den samme forespørselen igjen.',
            { headers: { 'retry-after': '1' } },
          ),
          instance,
        );
      } else {
        logger.error('Unhandled error', loggableError(error));
        request.response = problemResponse(
          problemOf('internal', 'Noe gikk galt hos Skjemaflyt. Prøv igjen senere.'),
          instance,
        );
      }
    },
  };
}

const TRANSIENT = new Set([
  'TransactionConflictException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** AWS errors the SDK marks retryable, or that say so by name: a retry of the whole request will do. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sdk = error as Error & {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    CancellationReasons?: { Code?: string }[];
  };
  if (sdk.$retryable || TRANSIENT.has(error.name)) return true;
  if (sdk.$metadata?.httpStatusCode !== undefined && sdk.$metadata.httpStatusCode >= 500) return true;
  // A transaction that lost to another one on the same items (not a failed condition).
  return (
    error.name === 'TransactionCanceledException' &&
    !!sdk.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')
  );
}
