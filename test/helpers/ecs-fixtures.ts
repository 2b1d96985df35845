// Small builders of ECS events in the shape nightjar's sensor emits, for rule tests.

import type { EcsDoc } from '../../src/ecs/ecs-event.js';

let seq = 0;
const t0 = Date.parse('2026-01-01T00:00:00Z');

export interface ProcSpec {
  entity: string;
  pid: number;
  args: string[];
  /** basename of the executed path; default basename of args[0] */
  name?: string;
  container?: string;
}

function base(category: string, type: string[], action: string): EcsDoc {
  seq++;
  return {
    '@timestamp': new Date(t0 + seq * 10).toISOString(),
    event: { kind: 'event', category: [category], type, action, id: `e${seq}`, sequence: seq, module: 'nightjar', dataset: `nightjar.${category}` },
    host: { name: 'h1', hostname: 'h1', os: { type: 'linux', family: 'debian', kernel: '6.1.0' } },
    agent: { type: 'nightjar', name: 'nightjar', version: '0.1.0', id: 'a1', ephemeral_id: 'x1' },
    ecs: { version: '9.4.0' },
  };
}

function proc(p: ProcSpec): Record<string, unknown> {
  const name = p.name ?? p.args[0]!.split('/').pop()!;
  return {
    pid: p.pid, entity_id: p.entity, name, executable: p.args[0]!.startsWith('/') ? p.args[0] : `/usr/bin/${name}`,
    args: p.args, args_count: p.args.length, command_line: p.args.join(' '), parent: { pid: 1 },
  };
}

export function execEvent(p: ProcSpec, action: 'exec' | 'fork' = 'exec'): EcsDoc {
  const e = base('process', ['start'], action);
  e.process = proc(p);
  e.user = { id: '0' };
  if (p.container) e.container = { id: p.container, runtime: 'runc' };
  return e;
}

export function networkEvent(p: ProcSpec, action: 'connection_accepted' | 'connection_attempted' | 'listen'): EcsDoc {
  const e = base('network', action === 'listen' ? ['start'] : ['start', 'connection'], action);
  e.process = proc(p);
  e.network = { transport: 'tcp', type: 'ipv4', direction: action === 'connection_attempted' ? 'egress' : 'ingress' };
  e.source = { ip: '127.0.0.1', port: 40000 };
  e.destination = { ip: '127.0.0.1', port: 4444 };
  if (p.container) e.container = { id: p.container, runtime: 'runc' };
  return e;
}

export const CONTAINER_ID = 'c'.repeat(64);
