/**
 * The environment a script gets: not vigil's own (its NODE_OPTIONS, NOTIFY_SOCKET, LD_PRELOAD, proxies and
 * whatever else the operator's shell or the service manager left in it), but what keepalived's scripts see when
 * keepalived runs as a service. keepalived sets no variable of its own for a script (lib/notify.c execs it with its
 * environment, and later releases drop IFS, LD_PRELOAD and LD_LIBRARY_PATH from it); a service gets PATH and the
 * locale. So: PATH (vigil's, which is also where a bare script name was looked up, else the usual system one), and
 * the locale and time zone when vigil has them.
 */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const PASSED = /^(LANG|LANGUAGE|LC_[A-Z_]+|TZ)$/;

export function scriptEnvironment(own: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { PATH: own['PATH'] || SYSTEM_PATH };
  for (const [name, value] of Object.entries(own)) {
    if (value !== undefined && PASSED.test(name)) out[name] = value;
  }
  return out;
}
