/**
 * keepalived's DBus objects (vrrp_dbus.c, `enable_dbus`), as data: the object paths made from the running
 * configuration, the state codes and texts of its `State` property and `VrrpStatusChange` signal, and the
 * introspection XML of each object (vigil's own text describing the same interfaces, methods, properties and
 * signals as keepalived's org.keepalived.Vrrp1.Vrrp.xml and org.keepalived.Vrrp1.Instance.xml).
 */
import type { Config, VrrpInstance } from '../../config/model.js';
import type { VrrpStateName } from '../../machines/vrrp-instance.js';

export const DEFAULT_SERVICE_NAME = 'org.keepalived.Vrrp1';
export const VRRP_INTERFACE = 'org.keepalived.Vrrp1.Vrrp';
export const INSTANCE_INTERFACE = 'org.keepalived.Vrrp1.Instance';
const ROOT = '/org/keepalived/Vrrp1';

/** A DBus object path element takes [A-Za-z0-9_] only: keepalived's set_valid_path turns anything else into `_`. */
export function pathElement(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '_');
}

/** /org/keepalived/Vrrp1[/net_namespace][/instance]: both global_defs settings, as keepalived puts them in. */
function prefix(config: Config): string {
  const g = config.globalDefs;
  const parts = [g.netNamespace, g.instance].filter((p): p is string => p !== undefined && p !== '').map(pathElement);
  return [ROOT, ...parts].join('/');
}

export function vrrpObjectPath(config: Config): string {
  return `${prefix(config)}/Vrrp`;
}

/** …/Instance/<interface>/<vrid>/<IPv4|IPv6>: the configured interface (not a VMAC), `none` without one. */
export function instanceObjectPath(config: Config, instance: VrrpInstance): string {
  const iface = instance.interface === '' ? 'none' : pathElement(instance.interface);
  return `${prefix(config)}/Instance/${iface}/${instance.virtualRouterId}/IPv${instance.family}`;
}

export type Vrrp1Object = { readonly kind: 'vrrp' } | { readonly kind: 'instance'; readonly name: string };

/** Every object the configuration asks for, by path. */
export function vrrp1Objects(config: Config): Map<string, Vrrp1Object> {
  const out = new Map<string, Vrrp1Object>([[vrrpObjectPath(config), { kind: 'vrrp' }]]);
  for (const i of config.vrrpInstances) out.set(instanceObjectPath(config, i), { kind: 'instance', name: i.name });
  return out;
}

/** keepalived's VRRP_STATE_* numbers (vrrp.h) and the texts of vrrp_dbus.c state_str. */
const STATES: Record<VrrpStateName, readonly [number, string]> = {
  INIT: [0, 'Init'],
  BACKUP: [1, 'Backup'],
  MASTER: [2, 'Master'],
  FAULT: [3, 'Fault'],
  STOP: [98, 'Stop'],
};

export function stateCode(state: VrrpStateName): number {
  return STATES[state][0];
}

export function stateText(state: VrrpStateName): string {
  return STATES[state][1];
}

const DOCTYPE =
  '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n';

/** The interfaces every object has (DBus specification, "Standard Interfaces"). */
const STANDARD = `  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="s" name="property_name" direction="in"/>
      <arg type="v" name="value" direction="out"/>
    </method>
    <method name="GetAll">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="a{sv}" name="properties" direction="out"/>
    </method>
    <method name="Set">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="s" name="property_name" direction="in"/>
      <arg type="v" name="value" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg type="s" name="interface_name"/>
      <arg type="a{sv}" name="changed_properties"/>
      <arg type="as" name="invalidated_properties"/>
    </signal>
  </interface>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect">
      <arg type="s" name="xml_data" direction="out"/>
    </method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
    <method name="GetMachineId">
      <arg type="s" name="machine_uuid" direction="out"/>
    </method>
  </interface>
`;

/**
 * The VRRP object: the dumps, a reload, and the signals of the daemon's life. keepalived built with
 * --enable-dbus-create-instance also has CreateInstance / DestroyInstance; Debian's 2.2.7 (the reference) does not,
 * and neither does vigil.
 */
const VRRP = `  <interface name="${VRRP_INTERFACE}">
    <method name="PrintData"/>
    <method name="PrintStats"/>
    <method name="PrintStatsClear"/>
    <method name="ReloadConfig"/>
    <signal name="VrrpStarted"/>
    <signal name="VrrpReloaded"/>
    <signal name="VrrpStopped"/>
  </interface>
`;

const INSTANCE = `  <interface name="${INSTANCE_INTERFACE}">
    <method name="SendGarp"/>
    <signal name="VrrpStatusChange">
      <arg type="u" name="status"/>
    </signal>
    <property type="s" name="Name" access="read"/>
    <property type="(us)" name="State" access="read"/>
  </interface>
`;

/** The introspection of `path`: its interfaces when it is an object, and the next element of every object below it. */
export function introspect(objects: ReadonlyMap<string, Vrrp1Object>, path: string): string {
  const object = objects.get(path);
  const below = path === '/' ? '/' : `${path}/`;
  const children = new Set<string>();
  for (const p of objects.keys()) if (p.startsWith(below)) children.add(p.slice(below.length).split('/')[0]!);
  const body = object === undefined ? '' : STANDARD + (object.kind === 'vrrp' ? VRRP : INSTANCE);
  const nodes = [...children].map((c) => `  <node name="${c}"/>\n`).join('');
  return `${DOCTYPE}<node>\n${body}${nodes}</node>\n`;
}
