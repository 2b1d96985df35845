// Errors that end the CLI with a one-line reason: CLI_USAGE (exit 2) for usage and invalid input,
// CLI_INPUT (exit 1) for an input that cannot be read at runtime; main.ts exits by the code.

import { CodedError, type ErrorCode } from '../util/coded-error.js';

export class CliError extends CodedError {
  /** 1 and 2 are the exit codes of older call sites: CLI_INPUT and CLI_USAGE */
  constructor(message: string, code: ErrorCode | 1 | 2 = 'CLI_USAGE', location?: string) {
    super(code === 1 ? 'CLI_INPUT' : code === 2 ? 'CLI_USAGE' : code, message, location);
  }
}
