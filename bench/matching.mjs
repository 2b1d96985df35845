// Matching cost under hostile input: 10,000 exec events with 4 KiB arguments against hostile
// wildcards, Elastic's nested-quantifier regex and every EQL rule of Elastic's Linux corpus (if
// ../shared/detection-rules is present); then the same with 16x longer arguments (must cost <= 20x).
// Prints table rows and JSON. usage: taskset -c 0 node bench/matching.mjs [events]

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { Compiler } = await import(`${root}/dist/eql/compile.js`);
const { parseExpression } = await import(`${root}/dist/eql/parser.js`);
const { parseRuleFile } = await import(`${root}/dist/rules/load-rules.js`);
const { RuleEngine } = await import(`${root}/dist/detect/rule-engine.js`);

const N = Number(process.argv[2] ?? 10000);
const KIB = 4096;
const CORPUS = process.env.NIGHTJAR_RULES_CORPUS ?? `${root}/../shared/detection-rules/rules/linux`;

const fill = (unit, len) => unit.repeat(Math.ceil(len / unit.length)).slice(0, len);
const CURL_RE = '".*[A-Za-z0-9][A-Za-z0-9\\\\-]*(\\\\.[A-Za-z0-9][A-Za-z0-9\\\\-]*)+(:[0-9]{1,5})?\\\\/[^ ]+.*"';
const IP_RE = '".*[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}(:[0-9]{1,5})?\\\\/[^ ]+.*"';

// [name, EQL condition, hostile argument of a given length]
const CASES = [
  ['wildcard *a*a*a*a*a*a*a*a*a*a*b (:)', 'process.command_line : "*a*a*a*a*a*a*a*a*a*a*b"', (n) => fill('a', n)],
  ['wildcard *import*pty*spawn* (:)', 'process.command_line : "*import*pty*spawn*"', (n) => fill('importpty', n)],
  ['wildcard *import*pty*spawn* (like)', 'process.command_line like "*import*pty*spawn*"', (n) => fill('importpty', n)],
  ['regex curl|wget URL and path', `process.command_line regex ${CURL_RE}`, (n) => fill('a.', n)],
  ['regex curl|wget IP and path', `process.command_line regex ${IP_RE}`, (n) => fill('1.1.1.1', n)],
];

function event(i, arg) {
  // through JSON, as replay and the live agent hold them: flat strings
  return JSON.parse(JSON.stringify({
    '@timestamp': new Date(1_700_000_000_000 + i).toISOString(),
    event: { category: ['process'], type: ['start'], action: 'exec', kind: 'event' },
    host: { os: { type: 'linux' }, name: 'bench' },
    user: { id: '1000', name: 'u' },
    process: {
      pid: 1000 + i, name: 'python3', executable: '/usr/bin/python3', working_directory: '/tmp',
      args: ['python3', '-c', arg], args_count: 3, command_line: `python3 -c ${arg}`,
      entity_id: `e${i}`, parent: { pid: 1, name: 'bash', executable: '/bin/bash', command_line: 'bash', args: ['bash'] },
    },
  }));
}

function timePerEvent(fn, docs) {
  for (let i = 0; i < Math.min(200, docs.length); i++) fn(docs[i]); // warm the JIT
  const t = process.hrtime.bigint();
  for (const d of docs) fn(d);
  return Number(process.hrtime.bigint() - t) / 1e3 / docs.length;
}

const rows = [];
function report(name, fn, arg) {
  // 16x longer input on a sixteenth of the events: same total bytes
  const small = Array.from({ length: N }, (_, i) => event(i, arg(KIB)));
  const large = Array.from({ length: Math.max(50, N / 16) }, (_, i) => event(i, arg(16 * KIB)));
  const us = timePerEvent(fn, small);
  const us16 = timePerEvent(fn, large);
  const r = { benchmark: 'matching', case: name, events: N, arg_bytes: KIB, us_per_event: +us.toFixed(2), us_per_event_16x: +us16.toFixed(2), ratio_16x: +(us16 / us).toFixed(2), max_ratio: 20 };
  rows.push(r);
  console.log(`| matching: ${name} | ${r.us_per_event} µs/event at 4 KiB | ${r.us_per_event_16x} µs/event at 64 KiB | x${r.ratio_16x} (<= 20) |`);
}

for (const [name, cond, arg] of CASES) {
  const p = new Compiler().predicate(parseExpression(cond));
  report(name, p, arg);
}

if (existsSync(CORPUS)) {
  const rules = [];
  let skipped = 0;
  for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('.toml')).sort()) {
    const src = readFileSync(`${CORPUS}/${f}`, 'utf8');
    if (!/^type = "eql"/m.test(src)) continue;
    const { rule } = parseRuleFile(f, src);
    if (!rule) {
      skipped++;
      continue;
    }
    try {
      new RuleEngine([rule], () => {}); // compiles, or says why it cannot run live
      rules.push(rule);
    } catch {
      skipped++;
    }
  }
  let alerts = 0;
  const engine = new RuleEngine(rules, () => alerts++);
  console.log(`| matching: Elastic Linux corpus | ${rules.length} EQL rules loaded, ${skipped} not runnable live |`);
  report(`Elastic Linux corpus, ${rules.length} rules, hostile python -c argument`, (d) => engine.push(d), (n) => fill('import pty;pty.spawn("/bin/sh") 1.1.1.1/a.b:', n));
  report(`Elastic Linux corpus, ${rules.length} rules, 'a' argument`, (d) => engine.push(d), (n) => fill('a', n));
} else console.log(`| matching: Elastic Linux corpus | skipped: ${CORPUS} not found |`);

for (const r of rows) console.log(JSON.stringify(r));
if (rows.some((r) => r.ratio_16x > r.max_ratio)) process.exitCode = 1;
