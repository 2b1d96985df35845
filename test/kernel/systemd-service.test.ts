// ./install.sh from a clean clone in a minimal Debian 12 booted under systemd-nspawn (systemd as
// PID 1): the shipped unit runs with its hardening in force, bpftrace attached, an nc listener in
// a runc container there is a rule-1 alert, a restart loses none, journald has `ready`, and
// --uninstall leaves no unit, process or runtime. Skipped inside a test root (no nesting).

import { mkdirSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootMachine, debianRoot, overlayRoot, type Machine, type Overlay } from '../helpers/debian-root.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { REPO } from '../helpers/paths.js';
import { containerId } from '../helpers/runc.js';

const RULE1 = 'Netcat Listener Established Inside A Container';
// what the machine has besides minbase: systemd to boot, runc and netcat for the container
const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'runc', 'busybox-static', 'netcat-openbsd'];
const nested = process.env.NIGHTJAR_TEST_ROOT !== undefined;

interface Alert {
  rule?: { name?: string };
  container: { id?: string };
  process: Record<string, unknown>;
  event: { id: string };
}

describe.skipIf(skipKernel || nested)('install.sh under systemd (systemd-nspawn, systemd as PID 1)', () => {
  let overlay: Overlay;
  let machine: Machine;
  const alerts = () => {
    try {
      return readFileSync(`${overlay.root}/var/log/nightjar/alerts.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Alert);
    } catch {
      return [];
    }
  };
  const untilAlert = async (pred: (a: Alert) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const a = alerts().find(pred);
      if (a) return a;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no such alert; alerts: ${JSON.stringify(alerts().map((a) => a.rule?.name))}`);
  };
  const readyCount = async () => Number((await machine.sh('journalctl -u nightjar -o cat | grep -c \'"msg":"ready"\'')).stdout.trim());
  const untilReady = async (n: number) => {
    for (let i = 0; i < 300 && (await readyCount()) < n; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await readyCount()).toBe(n);
  };
  /** nc -lvnp PORT in a runc container of the machine (its /usr and /etc, read-only) */
  const ncInContainer = async (seed: string, port: number) => {
    const id = containerId(seed);
    const bundle = `${overlay.root}/var/tmp/bundle-${seed}`;
    mkdirSync(`${bundle}/rootfs`, { recursive: true });
    for (const d of ['usr', 'etc', 'proc', 'dev', 'tmp']) mkdirSync(`${bundle}/rootfs/${d}`);
    for (const l of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${l}`, `${bundle}/rootfs/${l}`);
    writeFileSync(`${bundle}/config.json`, JSON.stringify({
      ociVersion: '1.0.2',
      process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['sh', '-c', `nc -lvnp ${port} & sleep 1; kill $!`], cwd: '/', env: ['PATH=/usr/bin:/bin'] },
      root: { path: 'rootfs', readonly: true },
      hostname: 'ctr',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
        ...['/usr', '/etc'].map((d) => ({ destination: d, source: d, type: 'bind', options: ['rbind', 'ro'] })),
      ],
      linux: { cgroupsPath: `/docker/${id}`, namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
    }));
    const r = await machine.sh(`runc run --bundle /var/tmp/bundle-${seed} ${id} </dev/null; e=$?; runc delete --force ${id} 2>/dev/null; exit $e`, 60_000);
    expect(r.exitCode, r.stderr).toBe(0);
    return id;
  };

  beforeAll(async () => {
    overlay = await overlayRoot(await debianRoot(PACKAGES));
    machine = await bootMachine(overlay.root);
  }, 900_000);

  afterAll(async () => {
    await machine?.stop();
    await overlay?.remove();
  }, 120_000);

  it('installs its own Node.js and starts the service from the shipped unit', async () => {
    const r = await machine.sh('cd /root/nightjar && ./install.sh 2>&1', 900_000);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toContain('installing a pinned Node.js for nightjar alone in /opt/nightjar/runtime');
    expect(r.stdout).toContain('running as systemd service nightjar');
    expect((await machine.sh('command -v node')).exitCode).toBe(1);
    const unit = await machine.sh('cat /etc/systemd/system/nightjar.service');
    expect(unit.stdout).toBe(readFileSync(`${REPO}/packaging/systemd/nightjar.service`, 'utf8').replace(/\n$/, ''));
  }, 900_000);

  it('runs with the unit\'s hardening in force', async () => {
    await untilReady(1);
    const props = ['ActiveState', 'SubState', 'MainPID', 'NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices',
      'ProtectKernelModules', 'ProtectKernelTunables', 'ProtectKernelLogs', 'ProtectControlGroups', 'ProtectClock', 'ProtectHostname',
      'RestrictRealtime', 'RestrictSUIDSGID', 'LockPersonality', 'RestrictNamespaces', 'LimitMEMLOCK', 'CapabilityBoundingSet', 'UMask'];
    const show = await machine.sh(`systemctl show nightjar -p ${props.join(',')}`);
    const p = Object.fromEntries(show.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(p).toMatchObject({
      ActiveState: 'active', SubState: 'running', NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes',
      PrivateDevices: 'yes', ProtectKernelModules: 'yes', ProtectKernelTunables: 'yes', ProtectKernelLogs: 'yes', ProtectControlGroups: 'yes',
      ProtectClock: 'yes', ProtectHostname: 'yes', RestrictRealtime: 'yes', RestrictSUIDSGID: 'yes', LockPersonality: 'yes', RestrictNamespaces: 'yes',
      LimitMEMLOCK: 'infinity', UMask: '0027',
    });
    expect(p.CapabilityBoundingSet!.split(' ').sort()).toEqual(['cap_bpf', 'cap_dac_read_search', 'cap_kill', 'cap_perfmon', 'cap_sys_admin', 'cap_sys_ptrace']);
    // and on the running process itself: no new privileges, a seccomp filter, only those capabilities
    const status = (await machine.sh(`cat /proc/${p.MainPID}/status`)).stdout;
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(status).toMatch(/^Seccomp:\s+2$/m);
    const capBnd = BigInt(`0x${/^CapBnd:\s+(\w+)$/m.exec(status)![1]}`);
    // CAP_DAC_READ_SEARCH 2, CAP_KILL 5, CAP_SYS_PTRACE 19, CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39
    expect(capBnd).toBe([2n, 5n, 19n, 21n, 38n, 39n].reduce((m, c) => m | (1n << c), 0n));
    expect((await machine.sh(`readlink /proc/${p.MainPID}/exe`)).stdout).toBe('/opt/nightjar/runtime/bin/node');
    expect((await machine.sh(`nsenter -t ${p.MainPID} -m touch /usr/nightjar-probe 2>&1`)).stdout).toContain('Read-only file system');
  });

  it('has bpftrace attached under the service', async () => {
    const r = await machine.sh(`pid=$(systemctl show nightjar -p MainPID --value)
      for d in /proc/[0-9]*; do [ "$(cat $d/comm 2>/dev/null)" = bpftrace ] && grep -q "^PPid:\\s*$pid$" $d/status && ls -l $d/fd | grep -c 'anon_inode:bpf-prog'; done`);
    expect(Number(r.stdout.trim().split('\n')[0])).toBeGreaterThan(0);
  });

  it('turns nc -lvnp in a runc container into a rule-1 alert, and a restart loses none', async () => {
    const first = await ncInContainer('sd-first', 4441);
    const a1 = await untilAlert((a) => a.rule?.name === RULE1 && a.container?.id === first);
    expect(a1.process.args).toEqual(['nc', '-lvnp', '4441']);

    const restart = await machine.sh('systemctl restart nightjar && systemctl is-active nightjar');
    expect(restart.stdout).toBe('active');
    await untilReady(2);
    const second = await ncInContainer('sd-second', 4442);
    await untilAlert((a) => a.rule?.name === RULE1 && a.container?.id === second);
    const rule1 = alerts().filter((a) => a.rule?.name === RULE1);
    expect(rule1.map((a) => a.container.id)).toEqual([first, second]);
    expect(new Set(alerts().map((a) => a.event.id)).size).toBe(alerts().length);
  });

  it('logs ready to the journal', async () => {
    const j = await machine.sh('journalctl -u nightjar -o cat --no-pager');
    expect(j.stdout.split('\n').filter((l) => l.includes('"msg":"ready"'))).toHaveLength(2);
  });

  it('--uninstall leaves no unit, no process and no runtime', async () => {
    const r = await machine.sh('cd /root/nightjar && ./install.sh --uninstall 2>&1');
    expect(r.exitCode, r.stdout).toBe(0);
    expect((await machine.sh('systemctl cat nightjar.service')).exitCode).not.toBe(0);
    expect((await machine.sh('ls /etc/systemd/system/nightjar.service /etc/systemd/system/multi-user.target.wants/nightjar.service /opt/nightjar /usr/local/bin/nightjar 2>/dev/null')).stdout).toBe('');
    // the machine has no node but nightjar's
    const procs = await machine.sh('cat /proc/[0-9]*/comm 2>/dev/null | grep -xE "node|bpftrace"');
    expect(procs.stdout).toBe('');
    expect(readFileSync(`${overlay.root}/var/log/nightjar/alerts.ndjson`, 'utf8')).toContain(RULE1);
  });
});
