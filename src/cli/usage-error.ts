// Errors that end the CLI with a one-line reason: exit 2 for usage/config/rules, 1 at runtime.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}
