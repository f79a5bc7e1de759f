import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthenticationError } from '../auth/tokens.ts';
import { loggableError } from '../runtime/safe-error.ts';
import { HttpProblem, problemResponse, problems } from './problem.ts';

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
      if (error instanceof HttpProblem) {
        request.response = problemResponse(error, instance);
      } else if (error instanceof AuthenticationError) {
        request.response = problemResponse(problems.unauthorized(error.message), instance);
      } else {
        logger.error('Unhandled error', loggableError(error));
        request.response = problemResponse(
          new HttpProblem(500, 'Intern feil', { detail: 'Noe gikk galt hos Skjemaflyt. Prøv igjen senere.' }),
          instance,
        );
      }
    },
  };
}
