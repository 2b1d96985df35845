// host.* and agent.* of every event, read once at start. Files are read under hostRoot so
// that an agent in a container (DaemonSet) describes the host, not its own image.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import os from 'node:os';
import si from 'systeminformation';
import { parseOsRelease } from './os-release.js';

export interface HostDoc {
  name: string;
  hostname: string;
  id?: string;
  architecture: string;
  ip?: string[];
  mac?: string[];
  os: { type: 'linux'; family?: string; name?: string; version?: string; full?: string; kernel: string; platform?: string };
}

export interface AgentDoc {
  type: 'nightjar';
  name: string;
  version: string;
  id: string;
  ephemeral_id: string;
}

const read = (p: string) => readFile(p, 'utf8').then((s) => s.trim(), () => undefined);

/** Reads a host file under hostRoot, following symlinks inside the host's tree, not ours. */
async function readHostFile(hostRoot: string, path: string, depth = 0): Promise<string | undefined> {
  if (!hostRoot) return read(path);
  const target = await readlink(`${hostRoot}${path}`).catch(() => undefined);
  if (target === undefined || depth > 8) return read(`${hostRoot}${path}`);
  return readHostFile(hostRoot, resolve(dirname(path), target), depth + 1);
}

async function osRelease(hostRoot: string): Promise<Record<string, string>> {
  const text = (await readHostFile(hostRoot, '/etc/os-release')) ?? (await readHostFile(hostRoot, '/usr/lib/os-release'));
  return text ? parseOsRelease(text) : {};
}

async function interfaces(): Promise<{ ip: string[]; mac: string[] }> {
  const list = await si.networkInterfaces().catch(() => []);
  const ifs = Array.isArray(list) ? list : [list];
  const ip = new Set<string>();
  const mac = new Set<string>();
  for (const i of ifs) {
    if (i.internal) continue;
    if (i.ip4) ip.add(i.ip4);
    if (i.ip6) ip.add(i.ip6.split('%')[0]!);
    if (i.mac && i.mac !== '00:00:00:00:00:00') mac.add(i.mac.toUpperCase().replaceAll(':', '-'));
  }
  return { ip: [...ip], mac: [...mac] };
}

export async function readHostMetadata(hostRoot: string): Promise<HostDoc> {
  const [rel, machineId, etcHostname, net] = await Promise.all([
    osRelease(hostRoot),
    readHostFile(hostRoot, '/etc/machine-id'),
    readHostFile(hostRoot, '/etc/hostname'),
    interfaces(),
  ]);
  const hostname = etcHostname || os.hostname();
  const family = rel.ID_LIKE?.split(' ')[0] ?? rel.ID;
  const host: HostDoc = {
    name: hostname,
    hostname,
    architecture: os.machine(),
    os: { type: 'linux', kernel: os.release() },
  };
  if (machineId) host.id = machineId;
  if (net.ip.length) host.ip = net.ip;
  if (net.mac.length) host.mac = net.mac;
  if (family) host.os.family = family;
  if (rel.NAME) host.os.name = rel.NAME;
  if (rel.VERSION_ID) host.os.version = rel.VERSION_ID;
  if (rel.PRETTY_NAME) host.os.full = rel.PRETTY_NAME;
  if (rel.ID) host.os.platform = rel.ID;
  return host;
}

/** A stable agent id, persisted in the state directory; ephemeral when it cannot be saved. */
export async function agentIdentity(stateDir: string, version: string): Promise<AgentDoc> {
  const file = `${stateDir}/agent-id`;
  let id = await read(file);
  if (!id) {
    id = randomUUID();
    await mkdir(stateDir, { recursive: true, mode: 0o750 })
      .then(() => writeFile(file, `${id}\n`, { mode: 0o640 }))
      .catch(() => undefined);
  }
  return { type: 'nightjar', name: 'nightjar', version, id, ephemeral_id: randomUUID() };
}

export async function readBootId(procRoot: string): Promise<string> {
  return (await read(`${procRoot}/sys/kernel/random/boot_id`)) ?? 'unknown-boot';
}
