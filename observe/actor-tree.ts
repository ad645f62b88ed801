/**
 * The actor tree a configuration would create (`vigil viz --config FILE`): the VRRP node with its sync groups and
 * instances, the tracked scripts, files and processes that feed them, and on the checker side each
 * virtual_server with its real_servers and their checkers. Edges show who tells whom: a tracker to the instances
 * tracking it (with the weight, or "FAULT" for weight 0).
 */
import type { Config, TrackedByName, VirtualServer } from '../config/model.js';
import type { LayoutEdge, LayoutNode } from './diagram.js';

export interface ActorTree {
  readonly title: string;
  readonly nodes: readonly LayoutNode[];
  readonly edges: readonly LayoutEdge[];
}

function weightText(t: TrackedByName, own: number | undefined): string {
  const weight = t.weight ?? own ?? 0;
  if (weight === 0) return t.reverse ? 'FAULT when up' : 'FAULT when down';
  const signed = weight > 0 ? `+${weight}` : `${weight}`;
  return t.reverse ? `weight ${signed} reversed` : `weight ${signed}`;
}

function vsAddress(vs: VirtualServer): string {
  const a = vs.address;
  if (a.kind === 'fwmark') return `fwmark ${a.fwmark}`;
  if (a.kind === 'group') return `group ${a.group}`;
  return a.family === 6 ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

export function actorTree(config: Config, file: string): ActorTree {
  const edges: LayoutEdge[] = [];
  let n = 0;
  const edge = (source: string, target: string, label: string, kind: string): void => {
    edges.push({ id: `e${String(n++).padStart(4, '0')}`, source, target, label, kind });
  };

  const instanceNode = (name: string): LayoutNode => {
    const i = config.vrrpInstances.find((x) => x.name === name);
    if (!i) return { id: `instance:${name}`, label: `${name}\n(not defined)`, kind: 'actor', data: { actor: name, machine: 'vrrp' } };
    const vips = i.virtualIpAddresses.map((v) => `${v.address}/${v.prefix}`);
    const lines = [
      i.name,
      `vrrp_instance · vrid ${i.virtualRouterId} · ${i.interface}`,
      `priority ${i.priority}${vips.length ? ` · ${vips.slice(0, 2).join(' ')}${vips.length > 2 ? ` +${vips.length - 2}` : ''}` : ''}`,
    ];
    const interfaces = i.trackInterfaces.map((t) => t.name);
    if (interfaces.length) lines.push(`track_interface ${interfaces.join(' ')}`);
    return { id: `instance:${i.name}`, label: lines.join('\n'), kind: 'actor', data: { actor: i.name, machine: 'vrrp' } };
  };

  const grouped = new Set(config.vrrpSyncGroups.flatMap((g) => g.group));
  const vrrpChildren: LayoutNode[] = [
    ...config.vrrpSyncGroups.map((g) => ({
      id: `group:${g.name}`,
      label: `vrrp_sync_group ${g.name}${g.trackInterfaces.length ? ` · track_interface ${g.trackInterfaces.map((t) => t.name).join(' ')}` : ''}`,
      kind: 'group',
      children: g.group.map(instanceNode),
      data: { actor: `group:${g.name}`, machine: 'syncGroup' },
    })),
    ...config.vrrpInstances.filter((i) => !grouped.has(i.name)).map((i) => instanceNode(i.name)),
  ];

  /**
   * Who tracks an object, as edges: the instances tracking it, and every member of a sync group tracking it (each
   * member tracks the group's objects itself, actors/vrrp/group-tracking.ts).
   */
  const trackEdges = (id: string, pick: (owner: Config['vrrpInstances'][number] | Config['vrrpSyncGroups'][number]) => readonly TrackedByName[], name: string, own: number | undefined): number => {
    let count = 0;
    for (const i of config.vrrpInstances) {
      const t = pick(i).find((x) => x.name === name);
      if (!t) continue;
      edge(id, `instance:${i.name}`, weightText(t, own), 'tracks');
      count++;
    }
    for (const g of config.vrrpSyncGroups) {
      const t = pick(g).find((x) => x.name === name);
      if (!t) continue;
      for (const member of g.group) edge(id, `instance:${member}`, `${weightText(t, own)} (sync group ${g.name})`, 'tracks');
      count++;
    }
    return count;
  };

  const trackers: LayoutNode[] = [];
  for (const s of config.vrrpScripts) {
    const id = `script:${s.name}`;
    if (trackEdges(id, (o) => o.trackScripts, s.name, s.weight) === 0) continue;
    trackers.push({ id, label: `${s.name}\nvrrp_script · every ${s.interval} s\nrise ${s.rise} fall ${s.fall}`, kind: 'actor', data: { actor: id, machine: 'vrrp_script' } });
  }
  for (const f of config.trackFiles) {
    const id = `file:${f.name}`;
    if (trackEdges(id, (o) => o.trackFiles, f.name, f.weight) === 0) continue;
    trackers.push({ id, label: `${f.name}\nvrrp_track_file\n${f.file}`, kind: 'actor', data: { actor: id, machine: 'polledTracker' } });
  }
  for (const p of config.trackProcesses) {
    const id = `process:${p.name}`;
    if (trackEdges(id, (o) => o.trackProcesses, p.name, undefined) === 0) continue;
    trackers.push({ id, label: `${p.name}\nvrrp_track_process\n${p.process}`, kind: 'actor', data: { actor: id, machine: 'polledTracker' } });
  }

  const nodes: LayoutNode[] = [];
  if (vrrpChildren.length > 0) nodes.push({ id: 'vrrp', label: 'VRRP', kind: 'group', children: vrrpChildren, data: { actor: 'vrrp' } });
  if (trackers.length > 0) nodes.push({ id: 'trackers', label: 'tracked objects', kind: 'group', children: trackers, direction: 'RIGHT' });

  const servers: LayoutNode[] = config.virtualServers.map((vs, v) => ({
    id: `vs:${v}`,
    label: `virtual_server ${vsAddress(vs)} ${vs.protocol} ${vs.lbAlgo}${vs.quorum > 1 ? ` quorum ${vs.quorum}` : ''}`,
    kind: 'group',
    data: { actor: `virtual_server:${vsAddress(vs)}`, machine: 'virtualServer' },
    children: [
      ...vs.realServers.map((rs, r) => ({
        id: `vs:${v}:rs:${r}`,
        label: `real_server ${rs.family === 6 ? `[${rs.ip}]` : rs.ip}:${rs.port}\nweight ${rs.weight}${rs.checkers.length ? `\n${rs.checkers.map((c) => c.type).join(' ')}` : ''}`,
        kind: 'actor',
        data: { actor: `real_server:${rs.ip}:${rs.port}`, machine: 'realServer' },
      })),
      ...(vs.sorryServer ? [{ id: `vs:${v}:sorry`, label: `sorry_server ${vs.sorryServer.ip}:${vs.sorryServer.port}`, kind: 'actor', data: {} }] : []),
    ],
  }));
  if (servers.length > 0) nodes.push({ id: 'checkers', label: 'checkers', kind: 'group', children: servers, direction: 'RIGHT' });

  return { title: `vigil actors of ${file}`, nodes: [{ id: 'daemon', label: `vigil: ${file}`, kind: 'group', children: nodes }], edges };
}

/** The same tree as a Mermaid flowchart: groups as subgraphs, trackers pointing at the instances they feed. */
export function actorTreeMermaid(tree: ActorTree): string {
  const ids = new Map<string, string>();
  const idOf = (id: string): string => {
    let m = ids.get(id);
    if (!m) {
      m = `n${ids.size}`;
      ids.set(id, m);
    }
    return m;
  };
  const text = (label: string): string => label.replace(/"/g, "'").replace(/\n/g, '<br/>');
  const out = ['flowchart TB', `  %% ${tree.title}`];
  const walk = (node: LayoutNode, indent: string): void => {
    if (node.children && node.children.length > 0) {
      out.push(`${indent}subgraph ${idOf(node.id)}["${text(node.label)}"]`);
      for (const c of node.children) walk(c, `${indent}  `);
      out.push(`${indent}end`);
    } else {
      out.push(`${indent}${idOf(node.id)}["${text(node.label)}"]`);
    }
  };
  for (const node of tree.nodes) walk(node, '  ');
  for (const e of tree.edges) out.push(`  ${idOf(e.source)} -->|"${text(e.label ?? '')}"| ${idOf(e.target)}`);
  return `${out.join('\n')}\n`;
}
