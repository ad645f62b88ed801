/**
 * The DBus side of `vigil run` (`enable_dbus`, `dbus_service_name`), as keepalived's vrrp_dbus.c offers it: the
 * service (org.keepalived.Vrrp1 by default) on the system bus with one VRRP object and one object per VRRP
 * instance, their properties read from the daemon's status when asked, `VrrpStatusChange` on every change of an
 * instance's state, `VrrpStarted` / `VrrpReloaded` / `VrrpStopped` on the daemon's. A reload adds and removes
 * instance objects; enabling or disabling DBus, or another service name, takes effect at a reload. A missing bus
 * is one warning, never a failed start; a bus lost later is one warning, and the next reload connects again.
 */
import type { Observable, Subscription } from 'rxjs';
import type { BusMessage } from '../../actors/bus.js';
import type { DaemonStatus } from '../../actors/status.js';
import type { Config } from '../../config/model.js';
import { dbusVariant, type DbusCall, type DbusConnection, type DbusConnectionFactory, type DbusReply } from '../../transport/dbus-connection.js';
import {
  DEFAULT_SERVICE_NAME,
  INSTANCE_INTERFACE,
  VRRP_INTERFACE,
  instanceObjectPath,
  introspect,
  stateCode,
  stateText,
  vrrp1Objects,
  vrrpObjectPath,
  type Vrrp1Object,
} from './vrrp1-objects.js';

/** What the methods do, given by the daemon's composition root. */
export interface Vrrp1Actions {
  /** PrintData: the data dump, as SIGUSR1. */
  printData(): void;
  /** PrintStats / PrintStatsClear: the stats dump, as SIGUSR2 (`clear`: PrintStatsClear). */
  printStats(clear: boolean): void;
  /** ReloadConfig: a reload, as SIGHUP. */
  reload(): void;
  /** SendGarp: one round of gratuitous ARPs / unsolicited NAs from the instance; false when it does not run. */
  sendGarp(instance: string): boolean;
}

export interface Vrrp1ServiceSources {
  config(): Config | undefined;
  status(): DaemonStatus;
  readonly messages$: Observable<BusMessage>;
  readonly log: { info(message: string): void; warn(message: string): void };
  readonly connection: DbusConnectionFactory;
  readonly actions: Vrrp1Actions;
  /** Whether this daemon runs VRRP (not `-C`): keepalived's DBus is its VRRP process's. */
  readonly vrrp?: boolean | undefined;
}

const PROPERTIES = 'org.freedesktop.DBus.Properties';
const INTROSPECTABLE = 'org.freedesktop.DBus.Introspectable';
const PEER = 'org.freedesktop.DBus.Peer';
const UNKNOWN_METHOD = 'org.freedesktop.DBus.Error.UnknownMethod';
const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';

const ok = (signature = '', body: readonly unknown[] = []): DbusReply => ({ kind: 'return', signature, body });
const error = (name: string, message: string): DbusReply => ({ kind: 'error', name, message });

export class Vrrp1Service {
  private connection: DbusConnection | undefined;
  /** The service name of the connection above. */
  private name = '';
  /** Set once the bus has given the name: signals before that are not sent (as keepalived's global_connection). */
  private ready = false;
  private objects = new Map<string, Vrrp1Object>();
  /** The objects before the last reload: an instance a reload removes is told there. */
  private previousObjects = new Map<string, Vrrp1Object>();
  /** The configuration of the last apply(). */
  private applied: Config | undefined;
  private readonly subscription: Subscription;

  constructor(private readonly sources: Vrrp1ServiceSources) {
    this.subscription = sources.messages$.subscribe((m) => {
      if (m.kind !== 'notify') return;
      // A reload's first notification: the new instances' objects are there, and VrrpReloaded said, before it is
      // told (keepalived start_vrrp runs dbus_reload before its instances notify).
      const config = this.applied !== undefined ? this.sources.config() : undefined;
      if (config !== undefined && config !== this.applied) this.apply();
      this.stateChanged(m.instance, stateCode(m.state));
    });
  }

  /** Whether the service is on the bus now (the name owned). */
  get connected(): boolean {
    return this.ready;
  }

  /** Starts, reloads or stops the service to match the running configuration (after start and each reload). */
  apply(): void {
    const config = this.sources.config();
    if (config === undefined) return;
    // Already applied (at the reload's first notification): nothing to do, unless the bus was lost meanwhile.
    if (config === this.applied && this.connection !== undefined) return;
    this.applied = config;
    if (!config.globalDefs.enableDbus || this.sources.vrrp === false) {
      this.stop();
      return;
    }
    const name = config.globalDefs.dbusServiceName ?? DEFAULT_SERVICE_NAME;
    const objects = vrrp1Objects(config);
    if (this.connection !== undefined && name === this.name) {
      // keepalived dbus_reload: instance objects come and go with the configuration, then VrrpReloaded.
      this.previousObjects = this.objects;
      this.objects = objects;
      if (this.ready) this.signal(vrrpObjectPath(config), VRRP_INTERFACE, 'VrrpReloaded');
      return;
    }
    this.stop();
    this.objects = objects;
    this.name = name;
    const connection = this.sources.connection({
      name,
      onCall: (call) => this.onCall(call),
      log: this.sources.log,
      // Off until the next reload connects again (keepalived stays off the bus once it has lost it).
      onLost: () => {
        if (this.connection !== connection) return;
        this.connection = undefined;
        this.ready = false;
        connection.close();
      },
    });
    this.connection = connection;
    connection.open().then(
      () => {
        if (this.connection !== connection) return;
        this.ready = true;
        this.sources.log.info(`DBus: ${name} on the system bus`);
        this.announce();
      },
      (err: unknown) => {
        // Connected but refused the name (no policy for it): off the bus, not a connection left open on it.
        connection.close();
        if (this.connection !== connection) return;
        this.connection = undefined;
        this.sources.log.warn(`DBus: cannot own ${name} on the system bus: ${err instanceof Error ? err.message : String(err)}; DBus is off`);
      },
    );
  }

  /** keepalived on_bus_acquired: VrrpStarted (when there are instances), then every instance's state. */
  private announce(): void {
    const config = this.sources.config();
    if (config === undefined || config.vrrpInstances.length === 0) return;
    this.signal(vrrpObjectPath(config), VRRP_INTERFACE, 'VrrpStarted');
    const states = new Map(this.sources.status().instances.map((i) => [i.name, i.state]));
    for (const i of config.vrrpInstances) {
      const state = states.get(i.name);
      if (state !== undefined) this.signal(instanceObjectPath(config, i), INSTANCE_INTERFACE, 'VrrpStatusChange', 'u', [stateCode(state)]);
    }
  }

  private stateChanged(instance: string, code: number): void {
    if (!this.ready) return;
    const named = (objects: Map<string, Vrrp1Object>): string[] => [...objects].filter(([, o]) => o.kind === 'instance' && o.name === instance).map(([path]) => path);
    // An instance the last reload removed is told on the object it had (keepalived notifies it before dbus_reload).
    const paths = named(this.objects);
    for (const path of paths.length > 0 ? paths : named(this.previousObjects)) this.signal(path, INSTANCE_INTERFACE, 'VrrpStatusChange', 'u', [code]);
  }

  private signal(path: string, iface: string, member: string, signature = '', body: readonly unknown[] = []): void {
    this.connection?.signal(path, iface, member, signature, body);
  }

  /** keepalived dbus_stop: VrrpStopped, then off the bus. */
  stop(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    if (this.ready) {
      const vrrp = [...this.objects].find(([, o]) => o.kind === 'vrrp');
      if (vrrp !== undefined) this.signal(vrrp[0], VRRP_INTERFACE, 'VrrpStopped');
    }
    this.connection = undefined;
    this.ready = false;
    this.objects = new Map();
    connection.close();
  }

  /** The daemon stops: off the bus, and no more state changes. */
  close(): void {
    this.stop();
    this.subscription.unsubscribe();
  }

  /** Every call sent to the service (the answers GDBus gives keepalived's objects, errors included). */
  onCall(call: DbusCall): DbusReply | undefined {
    if (call.interface === PEER) return undefined;
    if (call.interface === INTROSPECTABLE && call.member === 'Introspect') return ok('s', [introspect(this.objects, call.path)]);
    const object = this.objects.get(call.path);
    if (object === undefined) return error(UNKNOWN_METHOD, `No such interface “${call.interface ?? ''}” on object at path ${call.path}`);
    const own = object.kind === 'vrrp' ? VRRP_INTERFACE : INSTANCE_INTERFACE;
    if (call.interface === PROPERTIES) return this.properties(object, own, call);
    if (call.interface !== undefined && call.interface !== own) return error(UNKNOWN_METHOD, `No such interface “${call.interface}” on object at path ${call.path}`);
    return object.kind === 'vrrp' ? this.vrrpMethod(call) : this.instanceMethod(object.name, call);
  }

  private vrrpMethod(call: DbusCall): DbusReply {
    const { actions, log } = this.sources;
    switch (call.member) {
      case 'PrintData':
        log.info('Printing VRRP data on DBus request');
        actions.printData();
        return ok();
      case 'PrintStats':
        log.info('Printing VRRP stats on DBus request');
        actions.printStats(false);
        return ok();
      case 'PrintStatsClear':
        log.info('Printing and clearing VRRP stats on DBus request');
        actions.printStats(true);
        return ok();
      case 'ReloadConfig':
        // The answer goes first (keepalived answers, then signals its parent to reload).
        queueMicrotask(() => actions.reload());
        return ok();
      default:
        return error(UNKNOWN_METHOD, `No such method “${call.member}”`);
    }
  }

  private instanceMethod(name: string, call: DbusCall): DbusReply {
    if (call.member !== 'SendGarp') return error(UNKNOWN_METHOD, `No such method “${call.member}”`);
    if (!this.sources.actions.sendGarp(name)) return error(INVALID_ARGS, `Instance '${this.instanceId(call.path)}' not found`);
    this.sources.log.info(`Sending garps on ${name} on DBus request`);
    return ok();
  }

  /** interface/vrid/family of an instance's path, as keepalived names it in its errors. */
  private instanceId(path: string): string {
    return path.split('/').slice(-3).join('/');
  }

  /**
   * keepalived answers Get with what it builds for the value: `Name` is sent as the struct `(s)` (though its
   * introspection says `s`) and `State` as `(us)`, the state's number and text. vigil sends the same, so that what
   * reads keepalived's values reads vigil's.
   */
  private propertyValues(object: Vrrp1Object, path: string): Record<string, ReturnType<typeof dbusVariant>> | DbusReply {
    if (object.kind === 'vrrp') return {};
    const status = this.sources.status().instances.find((i) => i.name === object.name);
    if (status === undefined) return error(INVALID_ARGS, `Instance '${this.instanceId(path)}' not found`);
    return { Name: dbusVariant('(s)', [object.name]), State: dbusVariant('(us)', [stateCode(status.state), stateText(status.state)]) };
  }

  private properties(object: Vrrp1Object, own: string, call: DbusCall): DbusReply {
    const [iface, property] = call.body as [unknown, unknown];
    const known = object.kind === 'instance' ? ['Name', 'State'] : [];
    if (iface !== own) return error(INVALID_ARGS, `No such interface “${String(iface)}”`);
    switch (call.member) {
      case 'Get': {
        if (typeof property !== 'string' || !known.includes(property)) return error(INVALID_ARGS, `No such property “${String(property)}”`);
        const values = this.propertyValues(object, call.path);
        return 'kind' in values ? (values as DbusReply) : ok('v', [values[property]]);
      }
      case 'GetAll': {
        const values = this.propertyValues(object, call.path);
        return 'kind' in values ? (values as DbusReply) : ok('a{sv}', [values]);
      }
      case 'Set':
        if (typeof property !== 'string' || !known.includes(property)) return error(INVALID_ARGS, `No such property “${String(property)}”`);
        return error(INVALID_ARGS, `Property “${property}” is not writable`);
      default:
        return error(UNKNOWN_METHOD, `No such method “${call.member}”`);
    }
  }
}
