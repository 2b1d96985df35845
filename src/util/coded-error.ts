// Errors a user can see carry a stable code from this catalogue (docs/errors.md explains each);
// the CLI picks its exit code from the code, and log lines about a fault carry it as `code`.

/** exit code of the CLI when the error ends it; null: only logged by a running agent */
export const ERROR_CODES = {
  CLI_USAGE: 2,
  CLI_INPUT: 1,
  CONFIG_READ: 2,
  CONFIG_YAML: 2,
  CONFIG_INVALID: 2,
  CONFIG_ENV: 2,
  CONFIG_FILE_MISSING: 2,
  SECRET_ENV_UNSET: 2,
  SECRET_FILE_UNREADABLE: 2,
  SECRET_FILE_EMPTY: 2,
  SECRET_TOO_SHORT: 2,
  DELIVERY_TLS_FILES: 2,
  RULES_INVALID: 2,
  RULES_UNREADABLE: 2,
  PATH_UNWRITABLE: 2,
  BPFTRACE_START: 1,
  DELIVERY_RETRY: null,
  DELIVERY_LOCAL_FAULT: null,
  DELIVERY_DEAD_LETTER: null,
  DELIVERY_CHECKPOINT_SAVE: null,
  DELIVERY_CHECKPOINT_UNREADABLE: null,
  DELIVERY_RESUME_LOST: null,
  DELIVERY_DROPPED: null,
  DELIVERY_STOPPED: null,
} as const satisfies Record<string, 1 | 2 | null>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** file[:line[:col]] the error is about, when there is one */
    readonly location?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The CLI's exit code for an error, from its code alone: the catalogue's, 2 for EQL and rule
 * diagnostics and node's argument parser, 1 for anything else (a runtime failure).
 */
export function exitCodeFor(e: unknown): 1 | 2 {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 1;
  if (Object.hasOwn(ERROR_CODES, code)) return ERROR_CODES[code as ErrorCode] ?? 1;
  return /^(EQL_|RULE_|ERR_PARSE_ARGS)/.test(code) ? 2 : 1;
}
