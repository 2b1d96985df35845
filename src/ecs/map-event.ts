// Sensor event + process table state -> ECS event. Pure apart from the clock. Every mapper takes
// the event's wall ms, set once by the pipeline; @timestamp (and process.end) is formatted from it.

import type { ContainerFields } from '../container/container-resolver.js';
import type { AgentDoc, HostDoc } from '../host/host-metadata.js';
import type { UserNames } from '../host/user-names.js';
import type { ExitRecord, NetRecord } from '../probe/records.js';
import type { Clock } from '../util/clock.js';
import { ECS_VERSION, type EcsDoc } from './ecs-event.js';
import { type ProcessView, withParent } from './process-fields.js';

export interface MapContext {
  host: HostDoc;
  agent: AgentDoc;
  clock: Clock;
  /** uid/gid names; absent: ids only */
  names?: UserNames;
}

/**
 * Top-level user.* and group.*: the effective ids, as Elastic Defend sends them, with Defend's
 * `Ext.real.id` extension (the real ids; not ECS, read by Defend's Linux rules).
 */
function userGroup(ctx: MapContext, doc: EcsDoc, ids: { euid: number; uid: number; egid?: number; gid?: number }): void {
  const name = ctx.names?.user(ids.euid);
  const id = String(ids.euid);
  const Ext = { real: { id: String(ids.uid) } };
  doc.user = name === undefined ? { id, effective: { id }, Ext } : { id, name, effective: { id, name }, Ext };
  if (ids.egid !== undefined) {
    const g = ctx.names?.group(ids.egid);
    const gid = String(ids.egid);
    const GExt = { real: { id: String(ids.gid ?? ids.egid) } };
    doc.group = g === undefined ? { id: gid, Ext: GExt } : { id: gid, name: g, Ext: GExt };
  }
}

/** When and in what order: the event's wall ms and its event.sequence, both set when it was handled. */
export interface Stamp {
  readonly wallMs: number;
  readonly sequence: number;
}

function base(ctx: MapContext, { wallMs, sequence: seq }: Stamp, category: string, type: string[], action: string, dataset: string): EcsDoc {
  return {
    '@timestamp': ctx.clock.isoMs(wallMs),
    event: {
      kind: 'event', category: [category], type, action, module: 'nightjar', dataset,
      sequence: seq, id: `${ctx.agent.ephemeral_id.slice(0, 8)}-${seq.toString(36)}`,
    },
    host: ctx.host,
    agent: ctx.agent,
    ecs: { version: ECS_VERSION },
  };
}

export function processStartDoc(ctx: MapContext, stamp: Stamp, action: 'exec' | 'fork', v: ProcessView): EcsDoc {
  const p = v.p;
  const doc = base(ctx, stamp, 'process', ['start'], action, 'nightjar.process');
  doc.process = withParent(v, ctx.clock, ctx.names);
  userGroup(ctx, doc, p);
  if (p.argsTruncated || p.executableTruncated) {
    doc.nightjar = { process: { ...(p.argsTruncated ? { args_truncated: true } : {}), ...(p.executableTruncated ? { executable_truncated: true } : {}) } };
  }
  return doc;
}

export function processEndDoc(ctx: MapContext, r: ExitRecord, stamp: Stamp, v: ProcessView): EcsDoc {
  const p = v.p;
  const doc = base(ctx, stamp, 'process', ['end'], 'end', 'nightjar.process');
  const proc = withParent(v, ctx.clock, ctx.names);
  const signal = r.status & 0x7f;
  proc.exit_code = signal ? 128 + signal : (r.status >> 8) & 0xff;
  proc.end = doc['@timestamp'];
  doc.process = proc;
  userGroup(ctx, doc, p);
  if (signal) doc.nightjar = { process: { exit_signal: signal } };
  return doc;
}

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const TRANSPORTS: Record<number, string> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

function endpoint(addr: string, port: number): { ip: string; port?: number; address: string } {
  const ip = V4_MAPPED.exec(addr)?.[1] ?? addr;
  return port ? { address: ip, ip, port } : { address: ip, ip };
}

export const networkAction = (op: NetRecord['op']) => (op === 'connect' ? 'connection_attempted' : op === 'accept' ? 'connection_accepted' : 'listen');
export const networkTypes = (op: NetRecord['op']) => (op === 'listen' ? LISTEN_TYPES : CONNECTION_TYPES);
const LISTEN_TYPES = ['start'];
const CONNECTION_TYPES = ['start', 'connection'];

export function networkDoc(ctx: MapContext, r: NetRecord, stamp: Stamp, v: ProcessView): EcsDoc {
  const doc = base(ctx, stamp, 'network', [...networkTypes(r.op)], networkAction(r.op), 'nightjar.network');
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
  doc.process = withParent(v, ctx.clock, ctx.names);
  userGroup(ctx, doc, r);
  if (r.ret === -115) doc.nightjar = { network: { in_progress: true } };
  return doc;
}

/** container.*, orchestrator.* (and nightjar.cgroup.*) only for processes in a container; never empty. */
export function withContainer(doc: EcsDoc, c: ContainerFields | undefined): EcsDoc {
  if (c) {
    doc.container = c.container;
    if (c.orchestrator) doc.orchestrator = c.orchestrator;
    if (c.nightjar) doc.nightjar = doc.nightjar ? { ...(doc.nightjar as object), ...c.nightjar } : c.nightjar;
  }
  return doc;
}
