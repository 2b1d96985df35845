// bpftrace stdout lines -> ordered sensor events. Never throws: malformed lines are counted.

import { ExecAssembler } from './exec-assembler.js';
import { parseBpftraceJson, printfPayload } from './bpftrace-json.js';
import { parseRecord } from './records.js';
import type { SensorEvent } from './sensor-events.js';
import { ReorderBuffer } from './reorder-buffer.js';
import type { Counters, CounterSeries } from '../util/counters.js';

export class RecordDecoder {
  private readonly assembler: ExecAssembler;
  private readonly reorder: ReorderBuffer<SensorEvent>;
  private readonly lines: CounterSeries;

  constructor(
    private readonly counters: Counters,
    emit: (ev: SensorEvent) => void,
    reorderWindowMs = 15,
    private readonly onCgroupName?: (cgroupId: string, level: number, name: string) => void,
  ) {
    this.reorder = new ReorderBuffer(reorderWindowMs, emit);
    this.assembler = new ExecAssembler(counters);
    this.lines = counters.series('probe_lines');
  }

  /** NAME=value environment entries kept on exec events (the probe reads them only when asked) */
  allowEnv(names: readonly string[]): void {
    this.assembler.envAllow = new Set(names);
  }

  get held(): number {
    return this.reorder.size;
  }

  line(line: string, nowMs: number): void {
    const c = this.counters;
    this.lines.inc();
    const payload = printfPayload(line);
    if (payload !== undefined) {
      this.record(payload, nowMs);
      return;
    }
    const msg = parseBpftraceJson(line);
    if (!msg) {
      if (line.trim()) c.inc('probe_lines_malformed');
      return;
    }
    if (msg.type === 'lost_events') {
      const n = (msg.data as { events?: unknown } | null)?.events;
      c.inc('probe_records_lost', typeof n === 'number' ? n : 1);
      return;
    }
    if (msg.type === 'printf' && typeof msg.data === 'string') this.record(msg.data, nowMs);
  }

  /** One printf payload (with or without its closing newline). */
  private record(data: string, nowMs: number): void {
    const c = this.counters;
    const r = parseRecord(data);
    if (!r) {
      c.inc('probe_lines_malformed');
      return;
    }
    switch (r.kind) {
      case 'ready':
        return;
      case 'cgroup':
        this.onCgroupName?.(r.cgroupId, r.level, r.name);
        return;
      case 'chunk':
        this.assembler.addChunk(r.pid, r.ts, r.index, r.hex, nowMs);
        return;
      case 'path':
        this.assembler.addPath(r, nowMs);
        return;
      case 'exec': {
        const ev = this.assembler.complete(r);
        if (ev.argsTruncated) c.inc('exec_args_truncated');
        this.reorder.push(ev, nowMs);
        return;
      }
      default:
        this.reorder.push(r, nowMs);
    }
  }

  /** Call periodically: releases events past the reorder window, drops stale partial execs. */
  tick(nowMs: number, all = false): void {
    this.reorder.flush(nowMs, all);
    const orphaned = this.assembler.expire(nowMs, 2000);
    if (orphaned) this.counters.inc('exec_partials_orphaned', orphaned);
    const late = this.reorder.late;
    if (late) {
      this.counters.inc('events_late', late);
      this.reorder.late = 0;
    }
  }
}
