// Container id -> names from the runtime's local state under hostRoot: OCI bundle
// config.json annotations (containerd CRI, CRI-O, runc state), Docker's config.v2.json.
// I/O edge; every read may fail (the container is gone): then fewer fields, never an error.
// Synchronous: a few small local files, read only while a container's names are unknown, so
// the event that triggers the read already carries what the runtime has saved.

import { readdirSync, readFileSync } from 'node:fs';

export interface ContainerMetadata {
  runtime?: string;
  name?: string;
  imageName?: string;
  imageTag?: string;
  namespace?: string;
  podName?: string;
  podUid?: string;
}

const readJson = (path: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** "registry:5000/ns/img:tag@sha256:..." -> name and tag (the digest is dropped). */
function splitImage(ref: string): { name: string; tag?: string } {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? { name: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) } : { name: noDigest };
}

/** OCI annotations (CRI shapes of containerd and CRI-O) -> metadata. */
function fromAnnotations(a: Record<string, string>): ContainerMetadata {
  const image = a['io.kubernetes.cri.image-name'] ?? a['io.kubernetes.cri-o.ImageName'] ?? a['org.opencontainers.image.ref.name'];
  const m: ContainerMetadata = {
    name: a['io.kubernetes.cri.container-name'] ?? a['io.kubernetes.container.name'],
    namespace: a['io.kubernetes.cri.sandbox-namespace'] ?? a['io.kubernetes.pod.namespace'],
    podName: a['io.kubernetes.cri.sandbox-name'] ?? a['io.kubernetes.pod.name'],
    podUid: a['io.kubernetes.cri.sandbox-uid'] ?? a['io.kubernetes.pod.uid'],
  };
  if (image) {
    const { name, tag } = splitImage(image);
    m.imageName = name;
    if (tag) m.imageTag = tag;
  }
  return m;
}

function bundleAnnotations(bundle: string): Record<string, string> | undefined {
  const cfg = readJson(`${bundle}/config.json`);
  return (cfg?.annotations as Record<string, string> | undefined) ?? undefined;
}

function subdirs(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

export function readContainerMetadata(hostRoot: string, id: string): ContainerMetadata {
  const r = hostRoot;
  // containerd (v2 shim): /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>
  for (const ns of subdirs(`${r}/run/containerd/io.containerd.runtime.v2.task`)) {
    const a = bundleAnnotations(`${r}/run/containerd/io.containerd.runtime.v2.task/${ns}/${id}`);
    if (a) return { runtime: 'containerd', ...fromAnnotations(a) };
  }
  // CRI-O
  const crio = bundleAnnotations(`${r}/run/containers/storage/overlay-containers/${id}/userdata`);
  if (crio) return { runtime: 'cri-o', ...fromAnnotations(crio) };
  // Docker
  const docker = readJson(`${r}/var/lib/docker/containers/${id}/config.v2.json`);
  if (docker) {
    const image = (docker.Config as { Image?: string } | undefined)?.Image;
    return { runtime: 'docker', name: String(docker.Name ?? '').replace(/^\//, '') || undefined, ...(image ? (({ name, tag }) => ({ imageName: name, imageTag: tag }))(splitImage(image)) : {}) };
  }
  // runc state (plain runc, or runc under containerd/docker): state.json names the bundle
  const roots = [`${r}/run/runc`, ...(subdirs(`${r}/run/containerd/runc`)).map((ns) => `${r}/run/containerd/runc/${ns}`), `${r}/run/docker/runtime-runc/moby`];
  for (const root of roots) {
    const state = readJson(`${root}/${id}/state.json`);
    if (!state) continue;
    const labels = ((state.config as { labels?: string[] } | undefined)?.labels ?? []);
    const bundle = labels.find((l) => l.startsWith('bundle='))?.slice(7);
    const a = bundle ? bundleAnnotations(`${r}${bundle}`) : undefined;
    return { runtime: 'runc', ...(a ? fromAnnotations(a) : {}) };
  }
  return {};
}
