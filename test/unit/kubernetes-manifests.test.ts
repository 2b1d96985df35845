// Issue 7: the Kubernetes manifests pass a strict schema check that rejects unknown fields,
// and the DaemonSet keeps the privileges and mounts the agent needs, no more.

import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { manifestProblems } from '../helpers/k8s-strict.js';
import { REPO } from '../helpers/paths.js';
import { parseConfig } from '../../src/config/load-config.js';

const dir = `${REPO}/packaging/kubernetes`;
const docs = readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
  parseAllDocuments(readFileSync(`${dir}/${f}`, 'utf8')).map((d) => ({ file: f, doc: d.toJS() as Record<string, unknown> })));
const find = (kind: string) => docs.find((d) => d.doc.kind === kind)!.doc as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('kubernetes manifests', () => {
  it('are namespace, ServiceAccount, ConfigMap, Secret and DaemonSet, each valid under the strict schema', () => {
    expect(docs.map((d) => d.doc.kind).sort()).toEqual(['ConfigMap', 'DaemonSet', 'Namespace', 'Secret', 'ServiceAccount']);
    for (const { file, doc } of docs) expect(manifestProblems(doc, file), file).toEqual([]);
  });

  it('the strict check rejects an unknown field, a misspelt one, and a wrong type', () => {
    const ds = structuredClone(find('DaemonSet'));
    ds.spec.template.spec.hostPid = true;
    ds.spec.template.spec.containers[0].securityContext.capabilities.adds = ['BPF'];
    ds.spec.template.spec.containers[0].resources.limits = 'lots';
    const problems = manifestProblems(ds, 'ds');
    expect(problems.join('\n')).toMatch(/ds\.spec\.template\.spec\.hostPid: unknown field \(not in V1PodSpec\)/);
    expect(problems.join('\n')).toMatch(/capabilities\.adds: unknown field \(not in V1Capabilities\)/);
    expect(problems.join('\n')).toMatch(/resources\.limits: expected a mapping/);
    const missing = structuredClone(find('DaemonSet'));
    delete missing.spec.selector;
    expect((manifestProblems(missing, 'ds')).join('\n')).toMatch(/must have required property 'selector'|required property selector/);
  });

  it('the DaemonSet: host PID, listed capabilities (not privileged), bpf() let through, host mounts, probes on /healthz', () => {
    const pod = find('DaemonSet').spec.template.spec;
    const c = pod.containers[0];
    expect(pod.hostPID).toBe(true);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.securityContext.privileged).toBe(false);
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['BPF', 'PERFMON', 'SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'KILL'] });
    const unit = readFileSync(`${REPO}/packaging/systemd/nightjar.service`, 'utf8');
    expect(/^CapabilityBoundingSet=(.*)$/m.exec(unit)![1]!.split(' ').map((x) => x.replace('CAP_', ''))).toEqual(c.securityContext.capabilities.add);
    expect(c.securityContext.seccompProfile.type).toBe('Unconfined');
    expect(c.securityContext.appArmorProfile.type).toBe('Unconfined');
    const mounts = new Map(c.volumeMounts.map((m: { name: string; mountPath: string }) => [m.mountPath, m.name]));
    for (const p of ['/sys/kernel/tracing', '/sys/kernel/btf', '/host/proc', '/host/sys/fs/cgroup', '/host/etc/os-release', '/host/etc/machine-id', '/var/log/nightjar', '/var/lib/nightjar', '/etc/nightjar/config.yaml', '/etc/nightjar/secrets']) {
      expect(mounts.has(p), p).toBe(true);
    }
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    for (const probe of [c.livenessProbe, c.readinessProbe]) expect(probe.exec.command.slice(0, 2)).toEqual(['nightjar', 'health']);
  });

  it('the ConfigMap holds a config the agent accepts', () => {
    const cfg = parseConfig(find('ConfigMap').data['config.yaml'], 'configmap');
    expect(cfg.host_root).toBe('/host');
    expect(cfg.alerts.path).toBe('/var/log/nightjar/alerts.ndjson');
  });
});
