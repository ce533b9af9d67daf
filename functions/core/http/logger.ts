import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per container; the middleware adds the Lambda request id. */
export const logger = new Logger();
