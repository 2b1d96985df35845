// Errors of the CLI itself, with a one-line reason: CLI_USAGE (exit 2) for usage and invalid
// input, CLI_INPUT (exit 1) for an input that cannot be read at runtime; main.ts exits by the code.
// Errors that already carry a code (config, secrets, rules, paths) pass through unwrapped.

import { CodedError } from '../util/coded-error.js';

export class CliError extends CodedError {
  constructor(message: string, code: 'CLI_USAGE' | 'CLI_INPUT' = 'CLI_USAGE', location?: string) {
    super(code, message, location);
  }
}
