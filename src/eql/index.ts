// eql's public surface: parse a query, compile it for live rules (compileLive -> LivePlan ->
// LiveMatcher) or for one batch over recorded events (CompiledQuery), order events as EQL does.
// Code outside eql/ imports only this file (test/unit/eql-boundary.test.ts checks it).

export type { Expr, Query } from './ast.js';
export { EqlError } from './errors.js';
export { ordinalOf, sortInEqlOrder } from './event-order.js';
export { compileLive, type LiveMatcher, type LivePlan } from './live-query.js';
export { parseQuery } from './parser.js';
export { linePrefilter } from './prefilter.js';
export { CompiledQuery } from './query-runner.js';
export { FieldSource, normalize, readField, type Scalar, type Value } from './values.js';
export { compileWildcard } from './wildcard.js';
