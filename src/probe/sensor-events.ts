// Sensor events: probe records after exec reassembly. Times are CLOCK_MONOTONIC ns (`ts`)
// and clock ticks since boot (`startTicks`, 10 ms, as /proc/PID/stat field 22).

import type { ExecHeader, ExitRecord, ForkRecord, NetRecord } from './records.js';

export interface ExecEvent extends Omit<ExecHeader, 'argLen'> {
  /** Path as the kernel received it; undefined when its record was lost. */
  filename: string | undefined;
  args: string[];
  /** argv beyond the capture limit, or lost records: `argc` (the kernel's count) > args.length */
  argsTruncated: boolean;
  /** the path was longer than the probe reads: filename (and the name from it) is a prefix */
  executableTruncated?: boolean;
}

export type SensorEvent = ExecEvent | ForkRecord | ExitRecord | NetRecord;
