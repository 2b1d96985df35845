// The one counter registry: every counter the agent moves is a row of COUNTERS (name, help,
// label names), so an unknown name or a missing label is a compile error. Label values are
// escaped for the Prometheus text format; /metrics exposes each row as nightjar_<name>_total.

export const COUNTERS = {
  probe_lines: { help: 'Lines read from bpftrace stdout.', labels: [] },
  probe_lines_malformed: { help: 'bpftrace lines that were not a known record (dropped).', labels: [] },
  probe_lines_overflowed: { help: 'bpftrace lines longer than the line bound (dropped).', labels: [] },
  probe_records_lost: { help: 'Records the kernel dropped (bpftrace lost_events).', labels: [] },
  bpftrace_restarts: { help: 'Times bpftrace died and was restarted.', labels: [] },
  exec_args_truncated: { help: 'Exec events whose argv was cut short.', labels: [] },
  exec_incomplete: { help: 'Exec events completed with an argv chunk or the filename missing.', labels: [] },
  exec_partials_orphaned: { help: 'Partial execs dropped: their header never came, or evicted at the bound.', labels: [] },
  events: { help: 'Sensor events decoded, by kind.', labels: ['kind'] },
  events_late: { help: 'Events that arrived after the reorder window (emitted out of order).', labels: [] },
  events_file_dropped: { help: 'Events not written to the events file: over its buffer bound.', labels: [] },
  events_file_write_failed: { help: 'Events lost to events-file write errors.', labels: [] },
  events_file_errors: { help: 'Events-file write or reopen errors, by errno code.', labels: ['code'] },
  process_table_evicted: { help: 'Processes evicted from the process table at its size bound.', labels: [] },
  cgroup_unresolved: { help: 'Event cgroup ids with no known path (index rebuild asked).', labels: [] },
  cgroup_unrecognized: { help: 'Cgroup paths of no known container or host shape.', labels: [] },
  cgroup_names_dropped: { help: 'Probe cgroup-name records dropped: bad level or over the per-cgroup bound.', labels: [] },
  cgroup_index_truncated: { help: 'cgroup2 index walks that stopped at the entry bound.', labels: [] },
  container_cache_evicted: { help: 'Container resolver cache entries evicted at their bound, by cache.', labels: ['cache'] },
  sequences_released: { help: 'Pending sequences dropped because their process ended.', labels: [] },
  sequences_expired: { help: 'Pending sequences dropped past maxspan or the rule look-back.', labels: [] },
  sequences_evicted: { help: 'Pending sequences (or sample keys) evicted at the per-rule bound.', labels: [] },
  sequences_maxspan_rejected: { help: 'Sequences that reached a next stage after their maxspan (dropped).', labels: [] },
  sequences_until_cancelled: { help: 'Pending sequences cancelled by an until event.', labels: [] },
  alerts_matched: { help: 'Rule matches, by rule id, before exceptions and throttling.', labels: ['rule'] },
  alerts_excepted: { help: 'Matches removed by an exception.', labels: [] },
  alerts_suppressed: { help: 'Matches over max_signals per interval (summarised, not written).', labels: [] },
  alerts_suppressed_reported: { help: 'Suppressed matches reported in summary documents.', labels: [] },
  alerts_written: { help: 'Alerts written to the alert log and synced.', labels: [] },
  alerts_write_failed: { help: 'Alerts whose write failed (kept in memory and retried, or dropped).', labels: [] },
  alerts_write_recovered: { help: 'Alerts written after a failed write, by the retry.', labels: [] },
  alerts_dropped: { help: 'Alerts lost, by reason (buffer_full, shutdown).', labels: ['reason'] },
  alert_log_errors: { help: 'Alert log errors, by operation and errno code.', labels: ['op', 'code'] },
  output_delivered: { help: 'Alerts delivered, by output.', labels: ['output'] },
  output_retried: { help: 'Alert deliveries retried, by output.', labels: ['output'] },
  output_dead_lettered: { help: 'Alerts the server refused, written to dead letters, by output.', labels: ['output'] },
  output_dropped: { help: 'Alerts never delivered (rotated away undelivered), by output.', labels: ['output'] },
} as const satisfies Record<string, { help: string; labels: readonly string[] }>;

type Table = typeof COUNTERS;
type CounterName = keyof Table;
type UnlabeledCounter = { [N in CounterName]: Table[N]['labels'] extends readonly [] ? N : never }[CounterName];
type LabeledCounter = Exclude<CounterName, UnlabeledCounter>;
type Labels<N extends LabeledCounter> = { readonly [L in Table[N]['labels'][number]]: string };

/** Prometheus text format: backslash, double quote and newline escaped in a label value. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function labelPart(name: CounterName, labels: Record<string, string>): string {
  const names: readonly string[] = COUNTERS[name]?.labels ?? Object.keys(labels);
  return `{${names.map((l: string) => `${l}="${escapeLabelValue(String(labels[l] ?? ''))}"`).join(',')}}`;
}

interface CounterFamily {
  name: CounterName;
  help: string;
  /** label part (`` or `{k="v"}`, escaped) -> value */
  series: ReadonlyMap<string, number>;
}

/** A series with its labels fixed once, for hot paths (no key built per increment). */
export interface CounterSeries {
  inc(n?: number): void;
}

export class Counters {
  private readonly values = new Map<CounterName, Map<string, number>>();

  inc(name: UnlabeledCounter, n?: number): void;
  inc<N extends LabeledCounter>(name: N, labels: Labels<N>, n?: number): void;
  inc(name: string, labelsOrN?: Record<string, string> | number, n?: number): void {
    const [k, part, by] = this.resolve(name, labelsOrN, n);
    this.add(k, part, by);
  }

  get(name: UnlabeledCounter): number;
  get<N extends LabeledCounter>(name: N, labels: Labels<N>): number;
  get(name: string, labels?: Record<string, string>): number {
    const [k, part] = this.resolve(name, labels, undefined);
    return this.values.get(k)?.get(part) ?? 0;
  }

  series(name: UnlabeledCounter): CounterSeries;
  series<N extends LabeledCounter>(name: N, labels: Labels<N>): CounterSeries;
  series(name: string, labels?: Record<string, string>): CounterSeries {
    const [k, part] = this.resolve(name, labels, undefined);
    return { inc: (n = 1) => this.add(k, part, n) };
  }

  /** Every series moved so far, as `name` / `name{k="v"}` -> value, sorted (for logs and tests). */
  snapshot(): Record<string, number> {
    const out: [string, number][] = [];
    for (const [name, s] of this.values) for (const [part, v] of s) out.push([`${name}${part}`, v]);
    return Object.fromEntries(out.sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Every row of the table in table order; an unlabeled counter is present at 0 before it moves. */
  families(): CounterFamily[] {
    return (Object.keys(COUNTERS) as CounterName[]).map((name) => {
      const moved = this.values.get(name);
      const series = moved ?? new Map<string, number>(COUNTERS[name].labels.length ? [] : [['', 0]]);
      return { name, help: COUNTERS[name].help, series };
    });
  }

  private resolve(name: string, labelsOrN: Record<string, string> | number | undefined, n: number | undefined): [CounterName, string, number] {
    const k = name as CounterName;
    if (typeof labelsOrN === 'object') return [k, labelPart(k, labelsOrN), n ?? 1];
    return [k, '', labelsOrN ?? 1];
  }

  private add(name: CounterName, part: string, by: number): void {
    let s = this.values.get(name);
    if (!s) {
      s = new Map();
      this.values.set(name, s);
    }
    s.set(part, (s.get(part) ?? 0) + by);
  }
}
