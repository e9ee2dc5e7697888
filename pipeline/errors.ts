/**
 * The one error class the CLI prints as a single line: `kiln: <code>: <message>`.
 * Codes are stable so scripts and tests can match them.
 */
export class KilnError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "KilnError";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
