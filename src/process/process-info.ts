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
  /** executable (and name) are a prefix of a longer path */
  executableTruncated?: boolean;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  cgroupId: string | undefined;
  /** Monotonic ms when its exit was seen; kept a short while for late events. */
  exitedAtMs: number | undefined;
  /** process group and session (global pids); 0 when unknown */
  pgid: number;
  sid: number;
  /** controlling tty device, 0 0 when none */
  ttyMajor: number;
  ttyMinor: number;
  /** working directory when it last exec'd (or inherited at fork) */
  cwd: string | undefined;
  capEffective: number | undefined;
  capPermitted: number | undefined;
  /** allow-listed NAME=value entries of its environment */
  env: string[] | undefined;
  /** its entry leader (Elastic's session model), if any */
  entryLeader: { pid: number; startTicks: number } | undefined;
  /** set on a process that is an entry leader: init, sshd, ssm, container, terminal, console, unknown */
  entryType: string | undefined;
}

/** The new fields of ProcessInfo with nothing known. */
export const NO_SESSION = {
  pgid: 0, sid: 0, ttyMajor: 0, ttyMinor: 0, cwd: undefined, capEffective: undefined,
  capPermitted: undefined, env: undefined, entryLeader: undefined, entryType: undefined,
} as const satisfies Partial<ProcessInfo>;
