// EQL abstract syntax tree. Positions are 1-based line/column of the node's first token.

export interface Pos {
  line: number;
  col: number;
}

type Literal = string | number | boolean | null;

export type Expr =
  | { type: 'literal'; value: Literal; pos: Pos; raw?: string }
  | { type: 'field'; path: string[]; optional: boolean; pos: Pos }
  | { type: 'not'; expr: Expr; pos: Pos }
  | { type: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr; pos: Pos }
  | { type: 'compare'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: Expr; right: Expr; pos: Pos }
  | { type: 'arith'; op: '+' | '-' | '*' | '/' | '%'; left: Expr; right: Expr; pos: Pos }
  | { type: 'neg'; expr: Expr; pos: Pos }
  | { type: 'in'; expr: Expr; list: Expr[]; insensitive: boolean; negated: boolean; pos: Pos }
  | {
      type: 'match';
      op: ':' | 'like' | 'regex';
      insensitive: boolean;
      negated: boolean;
      expr: Expr;
      patterns: Expr[];
      /** written as `x : (a, b)`: a list, printed back with parentheses */
      list: boolean;
      pos: Pos;
    }
  | { type: 'call'; name: string; insensitive: boolean; args: Expr[]; pos: Pos };

export type FieldExpr = Extract<Expr, { type: 'field' }>;

export interface EventQuery {
  /** undefined for `any` */
  category: string | undefined;
  where: Expr;
  pos: Pos;
}

export interface SequenceStage {
  query: EventQuery;
  by: FieldExpr[];
  missing: boolean;
  runs: number;
}

export interface Pipe {
  kind: 'head' | 'tail';
  count: number;
  pos: Pos;
}

export type Query =
  | { type: 'event'; query: EventQuery; pipes: Pipe[] }
  | {
      type: 'sequence';
      by: FieldExpr[];
      maxspanMs: number | undefined;
      maxspanText: string | undefined;
      stages: SequenceStage[];
      until: SequenceStage | undefined;
      pipes: Pipe[];
    }
  | { type: 'sample'; by: FieldExpr[]; stages: SequenceStage[]; pipes: Pipe[] };
