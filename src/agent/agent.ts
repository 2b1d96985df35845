// `nightjar run`: ordered startup steps, the live pipeline, and teardown in reverse order.
//   bpftrace lines -> RecordDecoder -> EventBuilder -> ECS event -> sinks (events file, rules)

import { AlertLog, type AlertLogFault } from '../alerts/alert-log.js';
import type { Config } from '../config/config-schema.js';
import { ContainerResolver } from '../container/container-resolver.js';
import { startMetricsServer } from '../metrics/metrics-server.js';
import { Detector } from '../detect/detector.js';
import { Delivery } from '../delivery/delivery.js';
import type { LoadedRule } from '../rules/load-rules.js';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { UserNames } from '../host/user-names.js';
import { agentIdentity, readBootId, readHostMetadata } from '../host/host-metadata.js';
import { BpftraceRunner } from '../probe/bpftrace-runner.js';
import { seedProcesses } from '../process/proc-seed.js';
import { ProcessTable } from '../process/process-table.js';
import { EventBuilder } from '../ecs/event-builder.js';
import { RecordDecoder } from '../probe/record-decoder.js';
import { Clock } from '../util/clock.js';
import { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { PROBE_SCRIPT } from '../util/paths.js';
import { VERSION } from '../util/version.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { Teardown } from './teardown.js';

export interface AgentOptions {
  hostRoot: string;
  stateDir: string;
  eventsPath?: string;
  rules: LoadedRule[];
  config: Config;
  bpftrace?: string;
  probeScript?: string;
  reorderWindowMs?: number;
  log: Logger;
  /** Every ECS event, in order, with its @timestamp as epoch ms (the rule engine plugs in here). */
  sinks?: ((doc: EcsDoc, tsMs: number) => void)[];
}

export interface RunningAgent {
  counters: Counters;
  table: ProcessTable;
  detector: Detector;
  stop(): Promise<void>;
}

const DROP_COUNTERS = [
  'probe_records_lost', 'probe_lines_malformed', 'probe_lines_overflowed', 'exec_partials_orphaned',
  'events_late', 'events_file_dropped', 'events_file_write_failed', 'bpftrace_restarts', 'sequences_evicted',
];

const EVENT_COUNTER = { exec: 'events{kind="exec"}', fork: 'events{kind="fork"}', exit: 'events{kind="exit"}', net: 'events{kind="net"}' } as const;

/** Alerts the disk refuses wait in memory up to these bounds (then counted as dropped). */
export const ALERT_BUFFER = { maxBufferedAlerts: 10_000, maxBufferedBytes: 64 << 20, retryMs: 1000 };

function metricsAddress(server: import('node:http').Server): string {
  const a = server.address();
  return a && typeof a === 'object' ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : '';
}

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const teardown = new Teardown(o.log);
  try {
    return await start(o, teardown);
  } catch (e) {
    await teardown.run();
    throw e;
  }
}

function describeFault(f: AlertLogFault, buffered: number): string {
  const since = new Date(f.since).toISOString();
  return f.op === 'write'
    ? `alert log not writable since ${since}: ${f.message}; ${buffered} alert(s) kept in memory, retrying`
    : `alert log reopen failed since ${since}: ${f.message}; retrying`;
}

async function start(o: AgentOptions, teardown: Teardown): Promise<RunningAgent> {
  const t0 = Date.now();
  const log = o.log;
  const counters = new Counters();
  const procRoot = `${o.hostRoot}/proc`;
  // outputs, the alert log and the events file first: a bad secret, TLS file or an unwritable
  // path stops the start before bpftrace runs
  const delivery = new Delivery(o.config.outputs, o.config.alerts, o.stateDir, counters, log);
  let writeFaultSince = 0;
  const alertLog: AlertLog = new AlertLog(
    o.config.alerts.path,
    {
      maxBytes: o.config.alerts.rotate.max_bytes, keep: o.config.alerts.rotate.keep, maxUndeliveredBytes: o.config.alerts.max_undelivered_bytes, retention: delivery,
      faults: {
        ...ALERT_BUFFER, counters,
        onState: (op, f) => {
          const path = o.config.alerts.path;
          if (op === 'write' && f) {
            writeFaultSince = f.since;
            log.error('alert log not writable: alerts kept in memory and retried', { path, code: f.code, error: f.message, buffered: alertLog.buffered, retry_in_ms: ALERT_BUFFER.retryMs });
          } else if (op === 'write') {
            log.info('alert log writable again: buffered alerts written in order', {
              path, outage_ms: Date.now() - writeFaultSince, alerts_write_recovered: counters.get('alerts_write_recovered'), alerts_dropped: counters.get('alerts_dropped{reason="buffer_full"}'),
            });
          } else if (f) {
            log.error('alert log reopen failed: still writing the old file, retrying', { path, code: f.code, error: f.message, retry_in_ms: ALERT_BUFFER.retryMs });
          } else {
            log.info('alert log reopened', { path });
          }
        },
      },
    },
    (n) => {
      counters.inc('alerts_written', n);
      delivery.written(n);
    },
  );
  teardown.push('alert log', () => {
    const lost = alertLog.close();
    if (lost) log.error('alert log not writable at stop: buffered alerts lost', { path: alertLog.path, alerts_lost: lost });
  });
  if (alertLog.tornLinesRepaired) log.warn('alert log ended in a torn line (crash); cut it off', { path: alertLog.path });
  let eventsFaulty = false;
  const eventsFile = o.eventsPath
    ? new NdjsonWriter(o.eventsPath, undefined, (f, code) => {
      if (code) counters.inc(`events_file_errors{code="${code}"}`);
      if (f && !eventsFaulty) log.error('events file not writable: events lost and counted, retrying', { path: o.eventsPath, code, error: f.message });
      else if (!f) log.info('events file writable again', { path: o.eventsPath });
      eventsFaulty = Boolean(f);
    })
    : undefined;
  if (eventsFile) teardown.push('events file', () => eventsFile.close());

  // bpftrace compiles for ~1 s: identity, host and /proc are read meanwhile, and its lines
  // wait in `early` until the pipeline exists.
  let early: string[] | undefined = [];
  let onLine: (line: string) => void = (line) => early!.push(line);
  const runner = new BpftraceRunner({
    script: o.probeScript ?? PROBE_SCRIPT, bpftrace: o.bpftrace, log, counters,
    captureEnv: o.config.events.env_vars.length > 0,
    onLine: (line) => onLine(line),
  });
  const attached = runner.start();
  teardown.push('bpftrace', () => runner.stop());
  attached.catch(() => undefined);

  // 1. identity and host
  const [host, agent, bootId] = await Promise.all([
    readHostMetadata(o.hostRoot), agentIdentity(o.stateDir, VERSION), readBootId(procRoot),
  ]);
  const clock = new Clock(procRoot);
  let seq = 0;
  const ctx = { host, agent, clock, nextSequence: () => ++seq, names: new UserNames(o.hostRoot) };

  // 2. processes and cgroups that already exist
  const table = new ProcessTable();
  const containers = new ContainerResolver(o.hostRoot, counters);
  const [seeded] = await Promise.all([seedProcesses(procRoot, bootId), containers.start()]);
  for (const p of seeded) table.set(p);

  // 3. sinks: the events file (if asked for), then detection
  const sinks = [...(o.sinks ?? [])];
  if (eventsFile) sinks.push((d) => eventsFile.write(d));
  delivery.start();
  teardown.push('outputs', () => delivery.stop());
  const detector = new Detector(o.rules, o.config.rules.exceptions, alertLog, counters);
  teardown.push('detector', () => detector.stop());
  sinks.push((d, tsMs) => detector.onEvent(d, tsMs));
  const onHup = () => {
    alertLog.reopen();
    if (!alertLog.reopenPending) log.info('alert log reopened', { path: alertLog.path });
  };
  process.on('SIGHUP', onHup);
  teardown.push('SIGHUP handler', () => process.off('SIGHUP', onHup));

  // 4. pipeline
  const builder = new EventBuilder(table, ctx, bootId, containers);
  const decoder = new RecordDecoder(counters, (ev) => {
    counters.inc(EVENT_COUNTER[ev.kind]);
    const doc = builder.handle(ev, Date.now());
    // the same ms @timestamp was formatted from (Clock.iso)
    const tsMs = Math.floor(clock.wallMs(ev.ts));
    for (const sink of sinks) sink(doc, tsMs);
  }, o.reorderWindowMs, (id, level, name) => containers.addName(id, level, name));
  decoder.allowEnv(o.config.events.env_vars);
  const windowMs = o.reorderWindowMs ?? 15;
  let flushTimer: NodeJS.Timeout | undefined;
  const flushSoon = () => {
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      decoder.tick(Date.now());
      if (decoder.held) flushSoon();
    }, windowMs);
  };
  onLine = (line) => {
    decoder.line(line, Date.now());
    if (decoder.held) flushSoon();
  };
  for (const line of early) onLine(line);
  early = undefined;
  // bpftrace stops before the drain, so no line arrives after it
  teardown.push('pipeline', async () => {
    await runner.stop();
    clearTimeout(flushTimer);
    decoder.tick(Date.now(), true);
  });

  // 5. the probe is attached
  await attached;

  // 6. metrics and health, on loopback
  const metrics = await startMetricsServer(o.config.metrics.listen, {
    counters,
    gauges: () => ({
      process_table_size: table.size, pending_sequences: detector.pendingSequences(),
      bpftrace_up: runner.up ? 1 : 0, reorder_held_events: decoder.held,
      alert_log_up: alertLog.fault ? 0 : 1, alerts_buffered: alertLog.buffered, alerts_buffered_bytes: alertLog.bufferedBytes,
      ...(eventsFile ? { events_file_up: eventsFile.fault ? 0 : 1 } : {}),
      ...delivery.gauges(),
    }),
    unhealthy: () => {
      const why: string[] = [];
      if (!runner.up) why.push('bpftrace is not running');
      if (alertLog.fault) why.push(describeFault(alertLog.fault, alertLog.buffered));
      if (eventsFile?.fault) why.push(`events file not writable since ${new Date(eventsFile.fault.since).toISOString()}: ${eventsFile.fault.message}; retrying`);
      const stuck = delivery.stuck(o.config.metrics.delivery_stuck_after_s);
      if (stuck) why.push(stuck);
      return why.length ? why.join('; ') : undefined;
    },
  });
  teardown.push('metrics server', () => {
    metrics.close();
    metrics.closeAllConnections();
  });

  // 7. housekeeping: sweep exited processes, report drops with running totals
  let lastDrops = '';
  let lastWritten = 0;
  let ticks = 0;
  let lastOutputs = '';
  const housekeeping = setInterval(() => {
    const now = Date.now();
    if (++ticks % 5 === 0) delivery.writeStatus();
    if (ticks % 10 === 0) {
      const outputs = delivery.statuses().map(({ last_error_at: _a, last_delivered_at: _b, ...s }) => s);
      const key = JSON.stringify(outputs);
      if (key !== lastOutputs) log.info('outputs', { outputs });
      lastOutputs = key;
    }
    table.sweep(now);
    detector.tick(now);
    clock.calibrate();
    if (eventsFile?.dropped) {
      counters.inc('events_file_dropped', eventsFile.dropped);
      eventsFile.dropped = 0;
    }
    if (eventsFile?.failed) {
      counters.inc('events_file_write_failed', eventsFile.failed);
      eventsFile.failed = 0;
    }
    if (counters.get('alerts_written') !== lastWritten) {
      lastWritten = counters.get('alerts_written');
      log.info('alerts written (fdatasync done)', { alerts_written: lastWritten, path: alertLog.path });
    }
    const drops = Object.fromEntries(DROP_COUNTERS.map((k) => [k, counters.get(k)]));
    const key = JSON.stringify(drops);
    if (key !== lastDrops && Object.values(drops).some((v) => v > 0)) {
      log.warn('events dropped or delayed (running totals)', drops);
    }
    lastDrops = key;
  }, 1000);
  teardown.push('housekeeping', () => clearInterval(housekeeping));

  log.info('ready', {
    startup_ms: Date.now() - t0, bpftrace_pid: runner.pid, processes_seeded: table.size,
    metrics: metricsAddress(metrics), events_path: o.eventsPath, alerts_path: alertLog.path, rules: o.rules.length, host: host.hostname, agent_id: agent.id,
  });

  let stopped: Promise<void> | undefined;
  return {
    counters,
    table,
    detector,
    stop() {
      stopped ??= teardown.run().then(() => {
        if (eventsFile?.failed) counters.inc('events_file_write_failed', eventsFile.failed);
        if (eventsFile?.dropped) counters.inc('events_file_dropped', eventsFile.dropped);
        log.info('stopped', { ...counters.snapshot(), outputs: delivery.statuses(), pending_sequences: detector.pendingSequences(), rss_bytes: process.memoryUsage().rss });
      });
      return stopped;
    },
  };
}
