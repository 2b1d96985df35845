// An event as the rules read it before it is a document. The fields rules read most resolve
// from the process-table entries captured when the event was handled; any other field, an
// alert, an event a sequence keeps (pin) or an events sink builds the full ECS document, once.
// Invariant: read(path) equals readField(doc(), path) for every path (test/unit/live-event.test.ts).

import type { ContainerFields } from '../container/container-resolver.js';
import { FieldSource, normalize, readField, type Value } from '../eql/index.js';
import type { HostDoc } from '../host/host-metadata.js';
import type { ProcessInfo } from '../process/process-info.js';
import type { ExitRecord, NetRecord } from '../probe/records.js';
import type { EcsDoc } from './ecs-event.js';
import { type MapContext, networkDoc, processEndDoc, processStartDoc, withContainer } from './map-event.js';
import type { ProcessView } from './process-fields.js';

type Resolver = (e: LiveEvent) => unknown;

/** process.<field> of an entry, as processObject() writes it; undefined for fields it lacks. */
const PROCESS_FIELDS: Record<string, (p: ProcessInfo) => unknown> = {
  pid: (p) => p.pid,
  entity_id: (p) => p.entityId,
  name: (p) => p.name,
  executable: (p) => p.executable,
  args: (p) => p.args,
  args_count: (p) => p.argsCount,
  command_line: (p) => p.args.join(' '),
  working_directory: (p) => p.cwd,
};

function resolverFor(path: readonly string[]): Resolver | null {
  const key = path.join('.');
  switch (key) {
    case 'event.category': return (e) => e.categories;
    case 'event.type': return (e) => e.types;
    case 'event.action': return (e) => e.action;
    case 'event.kind': return () => 'event';
    case 'event.sequence': return (e) => e.sequence;
    case 'container.id': return (e) => e.container?.container.id;
  }
  if (path[0] === 'host' && path.length > 1) {
    const rest = path.slice(1);
    return (e) => readField(e.host, rest);
  }
  if (path[0] !== 'process') return null;
  if (path.length === 2) {
    const f = PROCESS_FIELDS[path[1]!];
    return f ? (e) => f(e.view.p) : null;
  }
  if (path.length === 3 && path[1] === 'parent') {
    const field = path[2]!;
    if (field === 'pid') return (e) => (e.view.parent ? e.view.parent.pid : e.view.p.ppid);
    const f = PROCESS_FIELDS[field];
    // an unknown parent is { pid } only
    return f ? (e) => (e.view.parent ? f(e.view.parent) : undefined) : null;
  }
  return null;
}

/** Per compiled field path (the same array each call): its resolver, or null (read the document). */
const resolvers = new Map<readonly string[], Resolver | null>();
const MAX_RESOLVERS = 4096;

export class LiveEvent extends FieldSource {
  private built: EcsDoc | undefined;

  constructor(
    /** epoch ms of @timestamp */
    readonly wallMs: number,
    readonly sequence: number,
    readonly categories: readonly string[],
    readonly types: readonly string[],
    readonly action: string,
    readonly view: ProcessView,
    private readonly ctx: MapContext,
    readonly container: ContainerFields | undefined,
    /** the exit or network record; undefined for a process start (fork, exec) */
    private readonly record?: ExitRecord | NetRecord,
  ) {
    super();
  }

  get host(): HostDoc {
    return this.ctx.host;
  }

  read(path: string[]): Value {
    let r = resolvers.get(path);
    if (r === undefined) {
      if (resolvers.size >= MAX_RESOLVERS) resolvers.clear();
      r = resolverFor(path);
      resolvers.set(path, r);
    }
    return r ? normalize(r(this)) : readField(this.doc(), path);
  }

  doc(): EcsDoc {
    return (this.built ??= this.build());
  }

  /** whether the document was built (by a read off the fast path, a sink, a pin or an alert) */
  get documented(): boolean {
    return this.built !== undefined;
  }

  private build(): EcsDoc {
    const r = this.record;
    const doc =
      r === undefined ? processStartDoc(this.ctx, this, this.action === 'fork' ? 'fork' : 'exec', this.view)
      : r.kind === 'exit' ? processEndDoc(this.ctx, r, this, this.view)
      : networkDoc(this.ctx, r, this, this.view);
    return withContainer(doc, this.container);
  }
}
