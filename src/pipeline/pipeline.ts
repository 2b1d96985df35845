// The one wiring of the event pipeline, used by the agent, the pipeline benchmark and the tests:
//   bpftrace line -> RecordDecoder (probe/: records, exec reassembly, reorder) -> wall ms, set once
//   -> EventBuilder (ecs/: process table, ECS event) -> sinks, then Detector (detect/) -> alert log.

import type { ContainerResolver } from '../container/container-resolver.js';
import type { Detector } from '../detect/detector.js';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { EventBuilder } from '../ecs/event-builder.js';
import type { AgentDoc, HostDoc } from '../host/host-metadata.js';
import type { UserNames } from '../host/user-names.js';
import { RecordDecoder } from '../probe/record-decoder.js';
import type { SensorEvent } from '../probe/sensor-events.js';
import type { ProcessTable } from '../process/process-table.js';
import type { Clock } from '../util/clock.js';
import type { Counters, CounterSeries } from '../util/counters.js';

/** Gets every ECS event, in order, with the epoch ms its @timestamp was formatted from. */
type EventSink = (doc: EcsDoc, wallMs: number) => void;

export interface PipelineOptions {
  table: ProcessTable;
  host: HostDoc;
  agent: AgentDoc;
  /** part of every process.entity_id */
  bootId: string;
  clock: Clock;
  counters: Counters;
  /** uid/gid names; absent: the agent's own /etc */
  names?: UserNames;
  /** container.* for processes in a container; absent: none */
  containers?: ContainerResolver;
  /** events go to the sinks first (the events file), then here */
  sinks?: EventSink[];
  detector?: Detector;
  reorderWindowMs?: number;
  /** environment variables kept on exec events */
  envVars?: readonly string[];
}

export class Pipeline {
  readonly reorderWindowMs: number;
  private readonly decoder: RecordDecoder;
  private readonly builder: EventBuilder;
  private readonly sinks: EventSink[];
  private readonly eventCounter: Record<SensorEvent['kind'], CounterSeries>;
  /** the time of the call in progress: events leave the reorder buffer only inside one */
  private nowMs = 0;

  constructor(private readonly o: PipelineOptions) {
    this.reorderWindowMs = o.reorderWindowMs ?? 15;
    const ctx = { host: o.host, agent: o.agent, clock: o.clock, names: o.names };
    this.builder = new EventBuilder(o.table, ctx, o.bootId, o.containers);
    this.sinks = [...(o.sinks ?? [])];
    const c = o.counters;
    this.eventCounter = { exec: c.series('events', { kind: 'exec' }), fork: c.series('events', { kind: 'fork' }), exit: c.series('events', { kind: 'exit' }), net: c.series('events', { kind: 'net' }) };
    const containers = o.containers;
    this.decoder = new RecordDecoder(o.counters, (ev) => this.emit(ev), this.reorderWindowMs, containers && ((id, level, name) => containers.addName(id, level, name)));
    if (o.envVars) this.decoder.allowEnv(o.envVars);
  }

  /** Events waiting in the reorder buffer. */
  get held(): number {
    return this.decoder.held;
  }

  /** One line of `bpftrace -f json` output, received at nowMs. */
  line(line: string, nowMs: number): void {
    this.nowMs = nowMs;
    this.decoder.line(line, nowMs);
  }

  /** Releases events past the reorder window; drops stale partial execs. Call while `held`. */
  tick(nowMs: number): void {
    this.nowMs = nowMs;
    this.decoder.tick(nowMs);
  }

  /** Releases every held event: after the last line. */
  flush(nowMs: number): void {
    this.nowMs = nowMs;
    this.decoder.tick(nowMs, true);
  }

  /** Periodic (1 s): forgets exited processes, ages the detector's windows, recalibrates the clock. */
  housekeep(nowMs: number): void {
    this.o.table.sweep(nowMs);
    this.o.detector?.tick(nowMs);
    this.o.clock.calibrate();
  }

  private emit(ev: SensorEvent): void {
    this.eventCounter[ev.kind].inc();
    // set once: @timestamp is formatted from it and the detector orders events by it
    const wallMs = this.o.clock.wallMs(ev.ts);
    const live = this.builder.handle(ev, wallMs, this.nowMs);
    // the document is built only for a sink, a rule field off the fast path, a kept or an alerted event
    if (this.sinks.length) {
      const doc = live.doc();
      for (const sink of this.sinks) sink(doc, wallMs);
    }
    this.o.detector?.onEvent(live, wallMs);
  }
}
