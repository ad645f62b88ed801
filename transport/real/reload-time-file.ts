/**
 * keepalived's reload_time_file (core/reload_monitor.c): a file whose first line schedules a reload. Formats,
 * exactly: `HH:MM:SS`, `YY-MM-DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS`, each with an optional `Z` (UTC; else local
 * time). A time alone already past today means tomorrow; a date and time in the past is ignored. The file is
 * watched from its directory: created or rewritten, the reload is (re)scheduled; deleted, it is cancelled. When the
 * time comes the file is deleted (kept with reload_repeat when it holds a time alone: the same time every day)
 * and the daemon reloads as on SIGHUP.
 */
import { unlinkSync, watch, type FSWatcher } from 'node:fs';
import { readRegularFileSync } from './regular-file.js';
import { basename, dirname } from 'node:path';

export type ReloadTime = { readonly at: number; readonly dateSpecified: boolean } | { readonly problem: string };

const FORMAT = /^(?:(\d{2}|\d{4})-(\d{2})-(\d{2}) )?(\d{2}):(\d{2}):(\d{2})(Z?)$/;

/** The time (epoch ms) a reload_time_file line names, as seen at `now` (epoch ms), or why it names none. */
export function parseReloadTime(text: string, now: number): ReloadTime {
  const m = FORMAT.exec(text);
  if (!m) return { problem: `reload time ${text} format is incorrect` };
  const [, y, mo, d, h, mi, s, z] = m;
  const utc = z === 'Z';
  const today = new Date(now);
  const year = y === undefined ? (utc ? today.getUTCFullYear() : today.getFullYear()) : y.length === 2 ? 2000 + Number(y) - (Number(y) >= 69 ? 100 : 0) : Number(y);
  const month = mo === undefined ? (utc ? today.getUTCMonth() : today.getMonth()) : Number(mo) - 1;
  const day = d === undefined ? (utc ? today.getUTCDate() : today.getDate()) : Number(d);
  const fields = [year, month, day, Number(h), Number(mi), Number(s)] as const;
  const make = (dayOffset: number): Date =>
    utc ? new Date(Date.UTC(fields[0], fields[1], fields[2] + dayOffset, fields[3], fields[4], fields[5])) : new Date(fields[0], fields[1], fields[2] + dayOffset, fields[3], fields[4], fields[5]);
  const t = make(0);
  // mktime's round trip: 25:00:00, 02-30, or a local time that a DST change skips are not times.
  const back = utc
    ? [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()]
    : [t.getFullYear(), t.getMonth(), t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds()];
  if (back.some((v, i) => v !== fields[i])) return { problem: `reload time ${text} is not valid` };
  if (t.getTime() > now) return { at: t.getTime(), dateSpecified: y !== undefined };
  if (y !== undefined) return { problem: `reload time ${text} is in the past` };
  return { at: make(1).getTime(), dateSpecified: false };
}

export interface ReloadTimeSettings {
  readonly file: string;
  readonly repeat: boolean;
}

/** The longest single wait (setTimeout's limit is about 24.8 days): longer ones are waited for in steps. */
const MAX_WAIT_MS = 86_400_000;

export class ReloadTimeMonitor {
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduled: { readonly at: number; readonly dateSpecified: boolean } | undefined;
  private settings: ReloadTimeSettings | undefined;

  constructor(
    private readonly reload: () => void,
    private readonly log: { info(message: string): void; warn(message: string): void },
  ) {}

  /** Starts, moves or stops watching as the running configuration says (after start and after each reload). */
  update(settings: ReloadTimeSettings | undefined): void {
    if (settings?.file !== this.settings?.file) this.unwatch();
    this.settings = settings;
    if (settings === undefined) return;
    if (this.watcher === undefined) {
      const name = basename(settings.file);
      try {
        this.watcher = watch(dirname(settings.file), { persistent: false }, (_event, changed) => {
          if (changed === null || changed.toString() === name) this.read();
        });
        this.watcher.on('error', () => {
          this.log.warn(`reload_time_file: the directory of ${settings.file} has gone; scheduled reloads stop until the next reload`);
          this.unwatch();
        });
      } catch (err) {
        this.log.warn(`reload_time_file ${settings.file}: its directory cannot be watched (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        return;
      }
    }
    this.read();
  }

  close(): void {
    this.unwatch();
    this.settings = undefined;
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.cancel(false);
  }

  private read(): void {
    const file = this.settings?.file;
    if (file === undefined) return;
    // A regular file only, without blocking (regular-file.ts): a FIFO put there must not hold the VRRP thread.
    const text = readRegularFileSync(file);
    if (text === undefined) return this.cancel(true);
    const line = text.split('\n', 1)[0]!;
    if (line === '') return this.cancel(true);
    const when = parseReloadTime(line, Date.now());
    if ('problem' in when) {
      this.log.warn(`reload_time_file ${file}: ${when.problem} - ignoring`);
      return this.cancel(true);
    }
    if (this.scheduled?.at === when.at) return;
    this.log.info(`${this.scheduled ? 'reload time updated to' : 'scheduling reload for'} ${new Date(when.at).toISOString()}`);
    this.scheduled = when;
    this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const at = this.scheduled?.at;
    if (at === undefined) return;
    const wait = at - Date.now();
    this.timer = setTimeout(() => (wait > MAX_WAIT_MS ? this.arm() : this.due()), Math.max(0, Math.min(wait, MAX_WAIT_MS)));
    this.timer.unref();
  }

  private due(): void {
    const when = this.scheduled;
    const settings = this.settings;
    this.timer = undefined;
    this.scheduled = undefined;
    if (when === undefined || settings === undefined) return;
    if (!settings.repeat || when.dateSpecified) {
      try {
        unlinkSync(settings.file);
      } catch {
        // gone already
      }
    }
    this.reload();
  }

  private cancel(log: boolean): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (log && this.scheduled) this.log.info(`cancelling the reload scheduled for ${new Date(this.scheduled.at).toISOString()}`);
    this.scheduled = undefined;
  }
}
