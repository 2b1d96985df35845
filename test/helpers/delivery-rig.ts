// The agent's alert log and outputs wired as the agent wires them, without the sensor: tests
// append alerts and watch what a real HTTPS server receives.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AlertLog } from '../../src/alerts/alert-log.js';
import { openAlertLog } from '../../src/alerts/alert-log-reporting.js';
import { parseConfig } from '../../src/config/load-config.js';
import { Delivery } from '../../src/delivery/delivery.js';
import { Counters } from '../../src/util/counters.js';
import { createLogger } from '../../src/util/log.js';

export interface Rig {
  dir: string;
  alertLog: AlertLog;
  delivery: Delivery;
  counters: Counters;
  logs: Record<string, unknown>[];
  append(n: number, prefix?: string): string[];
  restart(): void;
  stop(): Promise<void>;
}

let serial = 0;

export function alert(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    '@timestamp': now, event: { kind: 'alert', id, created: now, severity: 73 }, message: `test alert ${id}`,
    rule: { id: 'r1', name: 'Test Rule' }, nightjar: { alert: { severity: 'high' } },
    process: { name: 'nc', pid: 42, command_line: 'nc -l 4444' }, host: { hostname: 'h1' }, ...extra,
  };
}

/** `configYaml` holds at least `outputs:`; alerts go to DIR/alerts.ndjson, state to DIR/state. */
export function deliveryRig(configYaml: string, opts: { dir?: string; rotateBytes?: number; keep?: number; maxUndelivered?: number } = {}): Rig {
  const dir = opts.dir ?? mkdtempSync(`${tmpdir()}/nightjar-delivery-`);
  const config = parseConfig(configYaml, 'test config');
  const logs: Record<string, unknown>[] = [];
  const log = createLogger('debug', (l) => logs.push(JSON.parse(l) as Record<string, unknown>));
  const counters = new Counters();
  const alerts = {
    ...config.alerts, path: `${dir}/alerts.ndjson`,
    rotate: { max_bytes: opts.rotateBytes ?? 100 * 1024 * 1024, keep: opts.keep ?? 5 },
    max_undelivered_bytes: opts.maxUndelivered ?? config.alerts.max_undelivered_bytes,
  };
  const make = () => {
    const delivery = new Delivery(config.outputs, alerts, `${dir}/state`, counters, log);
    const alertLog = openAlertLog(alerts, delivery, (n) => {
      counters.inc('alerts_written', n);
      delivery.written(n);
    }, counters, log);
    delivery.start();
    return { delivery, alertLog };
  };
  let cur = make();
  const rig: Rig = {
    dir, counters, logs,
    get alertLog() {
      return cur.alertLog;
    },
    get delivery() {
      return cur.delivery;
    },
    append(n, prefix = `a${++serial}-`) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const id = `${prefix}${i}`;
        ids.push(id);
        cur.alertLog.append(alert(id));
      }
      cur.alertLog.flush();
      return ids;
    },
    restart() {
      cur = make();
    },
    async stop() {
      cur.alertLog.close();
      await cur.delivery.stop();
    },
  };
  return rig;
}

export function deadLetters(dir: string, output: string): Record<string, unknown>[] {
  try {
    return readFileSync(`${dir}/state/outputs/${output}.dead-letter.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

export async function until(pred: () => boolean, timeoutMs = 20000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
