// Coded EQL errors with a position; `render` gives "message (line:col)" plus the source line
// and a caret under the position.

type EqlErrorCode =
  | 'EQL_LEX' // a character or token that EQL does not have
  | 'EQL_SYNTAX' // tokens in an order the grammar does not allow
  | 'EQL_FUNCTION' // unknown function or wrong number of arguments
  | 'EQL_TYPE' // an operand of the wrong kind (a field where a constant must be ...)
  | 'EQL_FIELD' // a field no index maps, not written ?field
  | 'EQL_SEMANTIC' // well-formed but not valid (by counts, maxspan units, pipes ...)
  | 'EQL_LIVE'; // valid EQL that a live rule cannot run (pipes): refused when rules load

export class EqlError extends Error {
  constructor(
    readonly code: EqlErrorCode,
    readonly reason: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(`${reason} (${line}:${col})`);
  }

  /** The message, the offending source line, and a caret under the column. */
  render(source: string, file?: string): string {
    const text = source.split('\n')[this.line - 1] ?? '';
    const where = file ? `${file}:${this.line}:${this.col}: ` : '';
    return `${where}${this.code}: ${this.message}\n  ${text}\n  ${' '.repeat(Math.max(0, this.col - 1))}^`;
  }
}
