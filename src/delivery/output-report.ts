// What `nightjar doctor` says about each output: credentials, reachability, and the backlog
// read from its checkpoint and the status file the running agent keeps.

import { readFileSync } from 'node:fs';
import type { Config } from '../config/config-schema.js';
import { AlertQueue } from './alert-queue.js';
import { loadCheckpoint } from './checkpoint-store.js';
import { checkpointPath, makeSender, outputTarget, statusPath } from './delivery.js';
import type { OutputStatus } from './output-status.js';
import { toQueued } from './sender.js';
import { redact } from '../util/redact.js';

/** One line of `nightjar doctor`. */
export interface Finding {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** the agent runs anyway (alerts queue on disk): reported, but doctor still passes */
  warnOnly?: boolean;
}

function backlog(config: Config, name: string): { pending: number; oldestSeconds: number } {
  const queue = new AlertQueue(config.alerts.path);
  try {
    queue.open(loadCheckpoint(checkpointPath(config.state_dir, name)), 'oldest');
    const pending = queue.unread;
    const first = queue.read(1, 1 << 30).lines[0];
    const doc = first === undefined ? undefined : toQueued(first).doc;
    const created = Date.parse(String((doc?.event as { created?: unknown } | undefined)?.created ?? ''));
    return { pending, oldestSeconds: Number.isFinite(created) && pending ? Math.round((Date.now() - created) / 1000) : 0 };
  } finally {
    queue.close();
  }
}

function lastStatus(config: Config, name: string): (OutputStatus & { at?: string }) | undefined {
  try {
    return JSON.parse(readFileSync(statusPath(config.state_dir, name), 'utf8')) as OutputStatus & { at?: string };
  } catch {
    return undefined;
  }
}

export async function outputFindings(config: Config): Promise<Finding[]> {
  const out: Finding[] = [];
  // every output's senders first: each registers its secrets, which any output's error may echo
  const senders = config.outputs.map((o, i) => {
    try {
      return makeSender(o, `outputs.${i}`);
    } catch (e) {
      return e as Error;
    }
  });
  for (const [i, o] of config.outputs.entries()) {
    const check = `output ${o.name}`;
    const sender = senders[i]!;
    if (sender instanceof Error) {
      out.push({ check, ok: false, detail: sender.message, fix: 'make the secret or TLS file readable, or set the environment variable for the service' });
      continue;
    }
    if (o.tls.verification === 'none') {
      out.push({ check: `${check} tls`, ok: false, warnOnly: true, detail: 'tls.verification is none: anyone on the path can read and forge its traffic', fix: 'set tls.ca_file to the CA that signed the server certificate, and remove verification: none' });
    }
    try {
      for (const r of await sender.probe()) {
        out.push({ check: `${check} reachable`, ok: r.ok, detail: r.detail, fix: `check ${outputTarget(o)}, tls.* and the credentials in the config`, warnOnly: true });
      }
    } finally {
      sender.close();
    }
    let b;
    try {
      b = backlog(config, o.name);
    } catch (e) {
      out.push({ check: `${check} backlog`, ok: false, detail: `cannot read the alert log or checkpoint: ${(e as Error).message}` });
      continue;
    }
    const st = lastStatus(config, o.name);
    const stuck = b.oldestSeconds > config.metrics.delivery_stuck_after_s;
    const counts = st ? `; delivered ${st.delivered}, retried ${st.retried}, dead-lettered ${st.dead_lettered}, dropped ${st.dropped} (agent status at ${st.at})` : '';
    out.push({
      check: `${check} backlog`, ok: !stuck, warnOnly: true,
      // a status file written by an older agent may hold an unredacted error
      detail: redact(`${b.pending} alert(s) pending${b.pending ? `, oldest ${b.oldestSeconds} s old` : ''}${counts}${st?.last_error ? `; last error: ${st.last_error}` : ''}`),
      fix: 'delivery resumes by itself once the server answers; the last error says why it does not',
    });
  }
  return out;
}
