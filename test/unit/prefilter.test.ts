// The replay prefilter may only skip lines no rule can match: checked against the rule
// engine itself on the seed rules, with case variants and JSON escapes.

import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/detect/rule-engine.js';
import type { EcsDoc } from '../../src/ecs/ecs-event.js';
import { parseQuery } from '../../src/eql/parser.js';
import { linePrefilter, queryClauses } from '../../src/eql/prefilter.js';
import { loadRules } from '../../src/rules/load-rules.js';
import { CONTAINER_ID, execEvent, networkEvent } from '../helpers/ecs-fixtures.js';
import { REPO } from '../helpers/paths.js';

describe('replay prefilter', () => {
  it('never skips an event a seed rule matches', async () => {
    const { rules } = await loadRules([`${REPO}/rules`]);
    const keep = linePrefilter(rules.map((r) => r.query))!;
    expect(keep).toBeDefined();
    const argsSets = [
      ['nc', '-l', '-p', '1'], ['NC', '-l', '-p', '1'], ['/usr/bin/Ncat', '--listen', '1'], ['busybox', 'nc', '-lp', '2'],
      ['netcat.openbsd', '-l', '-p', '3'], ['nc', '-e', '/bin/sh', 'x', '1'], ['nc', 'é', '-l', '-p', '1'], ['ls', '-l', '-p'],
      ['nc', '-l', '-p', '1', 'quote"inside'],
    ];
    let matched = 0;
    argsSets.forEach((args, i) => {
      for (const container of [CONTAINER_ID, undefined]) {
        const p = { entity: `p${i}${container ? 'c' : 'h'}`, pid: 100 + i, args, container };
        for (const ev of [execEvent(p), networkEvent(p, 'connection_accepted')]) {
          const hits: EcsDoc[] = [];
          const engine = new RuleEngine<EcsDoc>(rules, (d) => hits.push(...d.events));
          engine.push(execEvent(p));
          engine.push(ev);
          const relevant = hits.includes(ev);
          matched += Number(relevant);
          const line = JSON.stringify(ev);
          if (relevant) expect(keep(line), line).toBe(true);
          // an escaped spelling of the same event is always kept
          if (line.includes('"nc"')) expect(keep(line.replace('"nc"', '"\\u006ec"'))).toBe(true);
        }
      }
    });
    expect(matched).toBeGreaterThan(5);
    expect(keep(JSON.stringify(execEvent({ entity: 'x', pid: 1, args: ['/bin/ls', '-la'] })))).toBe(false);
  });

  it('derives no requirement from negations, regexes or wildcards', () => {
    expect(queryClauses(parseQuery('process where not process.name == "nc"'))).toEqual([[]]);
    expect(queryClauses(parseQuery('process where process.name regex "nc"'))).toEqual([[]]);
    expect(queryClauses(parseQuery('process where process.name : "n*"'))).toEqual([[]]);
    expect(queryClauses(parseQuery('process where process.name : "nc" or process.pid == 1'))).toEqual([[]]);
    expect(queryClauses(parseQuery('process where process.name : "NC" and user.id == "0"'))).toEqual([[['"nc"'], ['"0"']]]);
    expect(linePrefilter([parseQuery('process where true')])).toBeUndefined();
  });
});
