// An alert as the JSON event Falco posts (what falcosidekick's `/` endpoint takes), so existing
// falcosidekick setups can route nightjar alerts unchanged.

import { getPath } from '../ecs/ecs-event.js';

const PRIORITY: Record<string, string> = { critical: 'Critical', high: 'Error', medium: 'Warning', low: 'Notice' };

const FIELDS: [string, string][] = [
  ['proc.name', 'process.name'], ['proc.cmdline', 'process.command_line'], ['proc.exepath', 'process.executable'],
  ['proc.pid', 'process.pid'], ['proc.pname', 'process.parent.name'], ['proc.ppid', 'process.parent.pid'],
  ['user.name', 'user.name'], ['user.uid', 'user.id'], ['container.id', 'container.id'], ['container.name', 'container.name'],
  ['container.image.repository', 'container.image.name'], ['k8s.ns.name', 'orchestrator.namespace'],
  ['k8s.pod.name', 'orchestrator.resource.name'], ['fd.sip', 'destination.ip'], ['fd.sport', 'destination.port'],
  ['fd.cip', 'source.ip'], ['fd.cport', 'source.port'],
];

export function falcoPayload(doc: Record<string, unknown>, id: string): Record<string, unknown> {
  const severity = String(getPath(doc, 'nightjar.alert.severity') ?? '');
  const priority = getPath(doc, 'event.kind') === 'alert' ? (PRIORITY[severity] ?? 'Warning') : 'Informational';
  const time = String(getPath(doc, '@timestamp') ?? new Date().toISOString());
  const fields: Record<string, unknown> = { 'evt.time.iso8601': time };
  for (const [falco, ecs] of FIELDS) {
    const v = getPath(doc, ecs);
    if (v !== undefined && v !== null) fields[falco] = v;
  }
  return {
    uuid: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32).padEnd(12, '0')}`,
    output: `${time}: ${priority} ${String(getPath(doc, 'message') ?? '')}`,
    priority,
    rule: String(getPath(doc, 'rule.name') ?? ''),
    time,
    output_fields: fields,
    source: 'nightjar',
    tags: Array.isArray(doc.tags) ? doc.tags : [],
    hostname: String(getPath(doc, 'host.hostname') ?? ''),
  };
}
