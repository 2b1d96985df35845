// `nightjar run`: the agent as an ordered list of startup steps; each pushes its undo onto the
// teardown stack, and stop() (or a failed start) runs them once, in reverse.

import { closeAlertLog, openAlertLog, reopenOnHangup } from '../alerts/alert-log-reporting.js';
import type { Config } from '../config/config-schema.js';
import { ContainerResolver } from '../container/container-resolver.js';
import { Delivery } from '../delivery/delivery.js';
import { Detector } from '../detect/detector.js';
import { agentIdentity, readBootId, readHostMetadata } from '../host/host-metadata.js';
import { UserNames } from '../host/user-names.js';
import { LiveFeed } from '../pipeline/live-feed.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { BpftraceRunner } from '../probe/bpftrace-runner.js';
import { seedProcesses } from '../process/proc-seed.js';
import { ProcessTable } from '../process/process-table.js';
import type { LoadedRule } from '../rules/load-rules.js';
import { Clock } from '../util/clock.js';
import { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { PROBE_SCRIPT } from '../util/paths.js';
import { VERSION } from '../util/version.js';
import { closeMetrics, metricsAddress, serveAgentMetrics } from './agent-metrics.js';
import { openEventsFile } from './events-file.js';
import { startHousekeeping } from './housekeeping.js';
import { Teardown } from './teardown.js';

export interface AgentOptions {
  hostRoot: string;
  stateDir: string;
  eventsPath?: string;
  rules: LoadedRule[];
  config: Config;
  bpftrace?: string;
  log: Logger;
}

interface RunningAgent {
  stop(): Promise<void>;
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

async function start(o: AgentOptions, teardown: Teardown): Promise<RunningAgent> {
  const t0 = Date.now();
  const { log, config } = o;
  const counters = new Counters();
  const procRoot = `${o.hostRoot}/proc`;

  // 1. outputs, the alert log and the events file: a bad secret, TLS file or an unwritable
  //    path stops the start before bpftrace runs
  const delivery = new Delivery(config.outputs, config.alerts, o.stateDir, counters, log);
  const alertLog = openAlertLog(config.alerts, delivery, (n) => {
    counters.inc('alerts_written', n);
    delivery.written(n);
  }, counters, log);
  teardown.push('alert log', () => closeAlertLog(alertLog, log));
  const eventsFile = o.eventsPath ? openEventsFile(o.eventsPath, counters, log) : undefined;
  if (eventsFile) teardown.push('events file', () => eventsFile.close());

  // 2. bpftrace compiles for ~1 s while the next steps run; its lines wait in `early` until
  //    the pipeline exists
  const early: string[][] = [];
  let onLines = (lines: string[]): unknown => early.push(lines);
  const runner = new BpftraceRunner({
    script: PROBE_SCRIPT, bpftrace: o.bpftrace, log, counters,
    captureEnv: config.events.env_vars.length > 0,
    onLines: (lines) => onLines(lines),
  });
  const attached = runner.start();
  teardown.push('bpftrace', () => runner.stop());
  attached.catch(() => undefined);

  // 3. identity and host
  const [host, agent, bootId] = await Promise.all([
    readHostMetadata(o.hostRoot), agentIdentity(o.stateDir, VERSION), readBootId(procRoot),
  ]);
  const clock = new Clock(procRoot);

  // 4. processes and cgroups that already exist
  const table = new ProcessTable(counters);
  const containers = new ContainerResolver(o.hostRoot, counters);
  const [seeded] = await Promise.all([seedProcesses(procRoot, bootId), containers.start()]);
  for (const p of seeded) table.set(p);

  // 5. outputs, detection, SIGHUP reopens the alert log
  delivery.start();
  teardown.push('outputs', () => delivery.stop());
  const detector = new Detector(o.rules, config.rules.exceptions, alertLog, counters);
  teardown.push('detector', () => detector.stop());
  teardown.push('SIGHUP handler', reopenOnHangup(alertLog, log));

  // 6. the pipeline: events to the events file (if asked for), then to detection
  const pipeline = new Pipeline({
    table, host, agent, bootId, clock, counters, names: new UserNames(o.hostRoot), containers, detector,
    sinks: eventsFile ? [(d) => eventsFile.write(d)] : [], envVars: config.events.env_vars,
  });
  const live = new LiveFeed(pipeline);
  for (const lines of early.splice(0)) live.lines(lines);
  onLines = (lines) => live.lines(lines);
  // bpftrace stops before the drain, so no line arrives after it
  teardown.push('pipeline', async () => {
    await runner.stop();
    live.close();
  });

  // 7. the probe is attached
  await attached;

  // 8. metrics and health, on loopback
  const metrics = await serveAgentMetrics({
    listen: config.metrics.listen, deliveryStuckAfterS: config.metrics.delivery_stuck_after_s,
    counters, runner, pipeline, table, detector, alertLog, eventsFile, delivery,
  });
  teardown.push('metrics server', () => closeMetrics(metrics));

  // 9. housekeeping, once a second
  teardown.push('housekeeping', startHousekeeping({ pipeline, delivery, alertsPath: alertLog.path, counters, log }));

  log.info('ready', {
    startup_ms: Date.now() - t0, bpftrace_pid: runner.pid, processes_seeded: table.size,
    metrics: metricsAddress(metrics), events_path: o.eventsPath, alerts_path: alertLog.path, rules: o.rules.length, host: host.hostname, agent_id: agent.id,
  });

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= teardown.run().then(() => {
        log.info('stopped', { ...counters.snapshot(), outputs: delivery.statuses(), pending_sequences: detector.pendingSequences(), rss_bytes: process.memoryUsage().rss });
      });
      return stopped;
    },
  };
}
