// What the agent knows about one process; the unit of the process table.

export interface ProcessInfo {
  pid: number;
  ppid: number;
  entityId: string;
  startTicks: number;
  name: string;
  executable: string | undefined;
  args: string[];
  argsCount: number;
  argsTruncated: boolean;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  cgroupId: string | undefined;
  /** Monotonic ms when its exit was seen; kept a short while for late events. */
  exitedAtMs: number | undefined;
}
