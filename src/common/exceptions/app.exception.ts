/**
 * Base of every module exception. `code` becomes GraphQL `extensions.code` and the `code` of a
 * REST error body; `httpStatus` is the REST status. `details` are safe to show the caller.
 */
export abstract class AppException<Code extends string = string> extends Error {
  protected constructor(
    readonly code: Code,
    message: string,
    readonly httpStatus: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** What a REST error body carries beside statusCode, code and message; GraphQL uses `details`. */
  restDetails(): Record<string, unknown> {
    return this.details;
  }
}
