/**
 * The failure converter of a worker that encrypts (`failureConverterPath`): a failure's message and
 * stack trace move into an encoded payload that the codec encrypts, so a tool error quoting its
 * arguments does not reach the server in plaintext. Every SDK converter decodes them back.
 */
import { DefaultFailureConverter } from '@temporalio/common';

/** The name `failureConverterPath` modules must export. */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
