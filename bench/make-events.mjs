// Writes N ECS events in the shape nightjar's sensor emits (exec, fork, end, network; 1 in
// 1000 processes is a netcat listener) as NDJSON: the replay benchmark's input.
// usage: node bench/make-events.mjs N FILE

import { createWriteStream } from 'node:fs';

const n = Number(process.argv[2] ?? 1000000);
const out = createWriteStream(process.argv[3] ?? '/tmp/nightjar-bench-events.ndjson');
const host = { name: 'bench', hostname: 'bench', id: '3d1219c7c4c5404aaa1f6d2a48adfda4', architecture: 'x86_64', ip: ['192.0.2.2'], os: { type: 'linux', family: 'debian', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0', platform: 'debian' } };
const agent = { type: 'nightjar', name: 'nightjar', version: '0.1.0', id: 'd4b9caec-ceee-469e-9f81-bdae2281f26a', ephemeral_id: '55cbc01f-c020-4282-95a6-e284bd41fadd' };
const t0 = Date.parse('2026-01-01T00:00:00Z');
const CMDS = [['/bin/ls', '-la', '/tmp'], ['/usr/bin/git', 'status'], ['/bin/sh', '-c', 'echo hi > /dev/null'], ['/usr/bin/curl', '-s', 'http://127.0.0.1/'], ['/usr/bin/python3', 'app.py', '--port', '8080']];

let seq = 0;
let buf = '';
const write = async (doc) => {
  buf += `${JSON.stringify(doc)}\n`;
  if (buf.length > 1 << 20) {
    if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
    buf = '';
  }
};
const base = (category, type, action, ts) => ({
  '@timestamp': new Date(ts).toISOString(),
  event: { kind: 'event', category: [category], type, action, module: 'nightjar', dataset: `nightjar.${category}`, sequence: ++seq, id: `b-${seq.toString(36)}` },
  host, agent, ecs: { version: '9.4.0' },
});
const proc = (pid, args, container) => ({
  pid, entity_id: `ent${pid}`, name: args[0].split('/').pop(), executable: args[0], args, args_count: args.length,
  command_line: args.join(' '), start: new Date(t0).toISOString(), user: { id: '0' },
  parent: { pid: 1, entity_id: 'ent1', name: 'systemd', executable: '/usr/lib/systemd/systemd', args: ['/sbin/init'], args_count: 1, command_line: '/sbin/init' },
  ...(container ? {} : {}),
});

let i = 0;
let pid = 1000;
while (i < n) {
  pid++;
  const ts = t0 + i;
  const nc = pid % 1000 === 0;
  const args = nc ? ['nc', '-l', '-p', String(4000 + (pid % 1000))] : CMDS[pid % CMDS.length];
  const container = pid % 7 === 0 ? { id: 'c'.repeat(64), runtime: 'containerd' } : undefined;
  const p = proc(pid, args);
  const fork = base('process', ['start'], 'fork', ts);
  fork.process = { ...proc(pid, ['/bin/bash']), parent: p.parent };
  if (container) fork.container = container;
  await write(fork); i++;
  const exec = base('process', ['start'], 'exec', ts);
  exec.process = p;
  if (container) exec.container = container;
  await write(exec); i++;
  if (pid % 3 === 0 || nc) {
    const net = base('network', ['start', 'connection'], nc ? 'connection_accepted' : 'connection_attempted', ts);
    net.process = p;
    net.network = { transport: 'tcp', type: 'ipv4', direction: nc ? 'ingress' : 'egress', iana_number: '6' };
    net.source = { ip: '127.0.0.1', port: 40000 + (pid % 20000), address: '127.0.0.1' };
    net.destination = { ip: '127.0.0.1', port: 80, address: '127.0.0.1' };
    if (container) net.container = container;
    await write(net); i++;
  }
  const end = base('process', ['end'], 'end', ts);
  end.process = { ...p, exit_code: 0, end: new Date(ts).toISOString() };
  if (container) end.container = container;
  await write(end); i++;
}
out.end(buf);
await new Promise((r) => out.once('finish', r));
