/**
 * An error caused by the user's input (a file, a flag, a shape). The CLI prints its message as one
 * line, without a stack trace, so the message must name the problem and the fix.
 */
export class TempolabError extends Error {
  override name = 'TempolabError';
}

/** Throws a TempolabError with `message` unless `condition` holds. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new TempolabError(typeof message === 'string' ? message : message());
}
