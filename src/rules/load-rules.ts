// Rule files (Elastic detection-rules TOML) -> validated, parsed and compiled rules, or
// diagnostics with file:line:col. The one load path of rules check, replay and run: a rule that
// loads here runs. Reads files; everything else is pure.

import { readdir, readFile, stat } from 'node:fs/promises';
import { parse as parseToml, TomlError } from 'smol-toml';
import { compileLive, EqlError, type LivePlan, parseQuery, type Query } from '../eql/index.js';
import { CodedError } from '../util/coded-error.js';
import { RuleSchema, type RuleDoc } from './rule-schema.js';

export interface LoadedRule {
  file: string;
  rule: RuleDoc;
  query: Query;
  /** compiled for the rule engine */
  live: LivePlan;
  /** look-back in ms, from `from = "now-9m"` */
  lookbackMs: number;
  intervalMs: number;
}

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  code: string;
  message: string;
  severity: 'error' | 'warning';
  /** the offending source line and a caret, when known */
  excerpt?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code}: ${d.message}${d.excerpt ? `\n${d.excerpt}` : ''}`;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60000, h: 3600000, d: 86400000 };
export const durationMs = (d: string) => Number(d.slice(0, -1)) * UNIT_MS[d.slice(-1)]!;

function caret(source: string, line: number, col: number): string {
  const text = source.split('\n')[line - 1] ?? '';
  return `  ${text}\n  ${' '.repeat(Math.max(0, col - 1))}^`;
}

/** Where the query string starts in the file: EQL positions are relative to it. */
function queryOrigin(source: string): { line: number; col: number } {
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*query\s*=\s*('''|"""|'|")/.exec(lines[i]!);
    if (!m) continue;
    const rest = lines[i]!.slice(m[0].length);
    // a multi-line string drops the newline right after its opening quotes
    if ((m[1] === "'''" || m[1] === '"""') && rest.trim() === '') return { line: i + 2, col: 1 };
    return { line: i + 1, col: m[0].length + 1 };
  }
  return { line: 1, col: 1 };
}

function keyLine(source: string, key: string): number {
  const i = source.split('\n').findIndex((l) => new RegExp(`^\\s*${key}\\s*=`).test(l));
  return i < 0 ? 1 : i + 1;
}

export function parseRuleFile(file: string, source: string): { rule?: LoadedRule; diagnostics: Diagnostic[] } {
  const d = (line: number, col: number, code: string, message: string): Diagnostic => ({
    file, line, col, code, message, severity: 'error', excerpt: caret(source, line, col),
  });
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(source) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) return { diagnostics: [d(e.line, e.column, 'RULE_TOML', e.message.split('\n')[0]!)] };
    return { diagnostics: [d(1, 1, 'RULE_TOML', (e as Error).message)] };
  }
  if (typeof doc.rule !== 'object' || doc.rule === null) return { diagnostics: [d(1, 1, 'RULE_SCHEMA', 'missing [rule] table')] };
  const parsed = RuleSchema.safeParse(doc.rule);
  if (!parsed.success) {
    return {
      diagnostics: parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? 'rule');
        return d(keyLine(source, key), 1, 'RULE_SCHEMA', `rule.${i.path.join('.')}: ${i.message}`);
      }),
    };
  }
  const rule = parsed.data;
  let query: Query;
  let live: LivePlan;
  try {
    query = parseQuery(rule.query);
    live = compileLive(query);
  } catch (e) {
    if (!(e instanceof EqlError)) throw e;
    const o = queryOrigin(source);
    const line = o.line + e.line - 1;
    const col = e.line === 1 ? o.col + e.col - 1 : e.col;
    return { diagnostics: [d(line, col, e.code, e.reason)] };
  }
  return {
    rule: { file, rule, query, live, lookbackMs: durationMs(rule.from.slice(4)), intervalMs: durationMs(rule.interval) },
    diagnostics: [],
  };
}

const unreadable = (path: string) => (e: Error): never => {
  throw new CodedError('RULES_UNREADABLE', e.message, path, { cause: e });
};

/** Files given, or every *.toml in the directories given, sorted by name. */
async function ruleFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (!s) throw new CodedError('RULES_UNREADABLE', `${p}: no such file or directory`, p);
    if (s.isDirectory()) {
      for (const f of (await readdir(p).catch(unreadable(p))).filter((n) => n.endsWith('.toml')).sort()) out.push(`${p}/${f}`);
    } else out.push(p);
  }
  return out;
}

/** A path that cannot be read ends the load: CodedError RULES_UNREADABLE. */
export async function loadRules(paths: string[]): Promise<{ rules: LoadedRule[]; diagnostics: Diagnostic[] }> {
  const rules: LoadedRule[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const file of await ruleFiles(paths)) {
    const r = parseRuleFile(file, await readFile(file, 'utf8').catch(unreadable(file)));
    diagnostics.push(...r.diagnostics);
    if (!r.rule) continue;
    const dup = seen.get(r.rule.rule.rule_id);
    if (dup) {
      diagnostics.push({ file, line: 1, col: 1, code: 'RULE_DUPLICATE', message: `rule_id ${r.rule.rule.rule_id} is also defined in ${dup}`, severity: 'error' });
      continue;
    }
    seen.set(r.rule.rule.rule_id, file);
    rules.push(r.rule);
  }
  return { rules, diagnostics };
}
