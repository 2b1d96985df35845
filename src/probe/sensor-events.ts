// Sensor events: probe records after exec reassembly. Times are CLOCK_MONOTONIC ns (`ts`)
// and clock ticks since boot (`startTicks`, 10 ms, as /proc/PID/stat field 22).

import type { ExitRecord, ForkRecord, NetRecord } from './records.js';

export interface ExecEvent {
  kind: 'exec';
  pid: number;
  ts: number;
  ppid: number;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  startTicks: number;
  cgroupId: string;
  /** Path as the kernel received it; undefined when its record was lost. */
  filename: string | undefined;
  /** Name of the file actually mapped (busybox for /proc/self/exe, the memfd name ...). */
  exeName: string;
  args: string[];
  /** argc as the kernel counted it; > args.length when truncated. */
  argc: number;
  argsTruncated: boolean;
}

export type SensorEvent = ExecEvent | ForkRecord | ExitRecord | NetRecord;
