// Sensor event + process table state -> ECS event. Pure apart from the clock.

import type { AgentDoc, HostDoc } from '../host/host-metadata.js';
import type { ProcessInfo } from '../process/process-info.js';
import type { ExitRecord, NetRecord } from '../probe/records.js';
import type { Clock } from '../util/clock.js';
import { ECS_VERSION, type EcsDoc } from './ecs-event.js';
import { withParent } from './process-fields.js';

export interface MapContext {
  host: HostDoc;
  agent: AgentDoc;
  clock: Clock;
  nextSequence: () => number;
}

function base(ctx: MapContext, ts: number, category: string, type: string[], action: string, dataset: string): EcsDoc {
  const seq = ctx.nextSequence();
  return {
    '@timestamp': ctx.clock.iso(ts),
    event: {
      kind: 'event', category: [category], type, action, module: 'nightjar', dataset,
      sequence: seq, id: `${ctx.agent.ephemeral_id.slice(0, 8)}-${seq.toString(36)}`,
    },
    host: ctx.host,
    agent: ctx.agent,
    ecs: { version: ECS_VERSION },
  };
}

export function processStartDoc(
  ctx: MapContext, ts: number, action: 'exec' | 'fork', p: ProcessInfo, parent: ProcessInfo | undefined,
): EcsDoc {
  const doc = base(ctx, ts, 'process', ['start'], action, 'nightjar.process');
  doc.process = withParent(p, parent, ctx.clock);
  doc.user = { id: String(p.euid) };
  if (p.argsTruncated) doc.nightjar = { process: { args_truncated: true } };
  return doc;
}

export function processEndDoc(ctx: MapContext, r: ExitRecord, p: ProcessInfo, parent: ProcessInfo | undefined): EcsDoc {
  const doc = base(ctx, r.ts, 'process', ['end'], 'end', 'nightjar.process');
  const proc = withParent(p, parent, ctx.clock);
  const signal = r.status & 0x7f;
  proc.exit_code = signal ? 128 + signal : (r.status >> 8) & 0xff;
  proc.end = ctx.clock.iso(r.ts);
  doc.process = proc;
  doc.user = { id: String(p.euid) };
  if (signal) doc.nightjar = { process: { exit_signal: signal } };
  return doc;
}

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const TRANSPORTS: Record<number, string> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

function endpoint(addr: string, port: number): { ip: string; port?: number; address: string } {
  const ip = V4_MAPPED.exec(addr)?.[1] ?? addr;
  return port ? { address: ip, ip, port } : { address: ip, ip };
}

export function networkDoc(ctx: MapContext, r: NetRecord, p: ProcessInfo, parent: ProcessInfo | undefined): EcsDoc {
  const action = r.op === 'connect' ? 'connection_attempted' : r.op === 'accept' ? 'connection_accepted' : 'listen';
  const type = r.op === 'listen' ? ['start'] : ['start', 'connection'];
  const doc = base(ctx, r.ts, 'network', type, action, 'nightjar.network');
  const local = endpoint(r.localAddr, r.localPort);
  const remote = endpoint(r.remoteAddr, r.remotePort);
  const mapped = r.ipVersion === 6 && V4_MAPPED.test(r.localAddr || r.remoteAddr);
  doc.network = {
    transport: TRANSPORTS[r.protocol] ?? String(r.protocol),
    iana_number: String(r.protocol),
    type: r.ipVersion === 4 || mapped ? 'ipv4' : 'ipv6',
    direction: r.op === 'connect' ? 'egress' : 'ingress',
  };
  if (r.op === 'connect') {
    doc.source = local;
    doc.destination = remote;
  } else if (r.op === 'accept') {
    doc.source = remote;
    doc.destination = local;
  } else {
    doc.destination = local;
  }
  doc.process = withParent(p, parent, ctx.clock);
  doc.user = { id: String(r.euid) };
  if (r.ret === -115) doc.nightjar = { network: { in_progress: true } };
  return doc;
}
