// Sensor events: probe records after exec reassembly. Times are CLOCK_MONOTONIC ns (`ts`)
// and clock ticks since boot (`startTicks`, 10 ms, as /proc/PID/stat field 22).

import type { ExecHeader, ExecSession, ExitRecord, ForkRecord, NetRecord } from './records.js';

export interface ExecEvent extends Omit<ExecHeader, 'argLen'> {
  /** Path as the kernel received it; undefined when its record was lost. */
  filename: string | undefined;
  args: string[];
  /** argv beyond the capture limit, or lost records: `argc` (the kernel's count) > args.length */
  argsTruncated: boolean;
  /** the path was longer than the probe reads: filename (and the name from it) is a prefix */
  executableTruncated?: boolean;
  /** from the P record; undefined when it was lost */
  session?: ExecSession;
  /** from the cwd records; undefined when lost or deeper than the probe walks */
  cwd?: string;
  /** NAME=value entries kept by the env allow-list */
  env?: string[];
}

export type SensorEvent = ExecEvent | ForkRecord | ExitRecord | NetRecord;
