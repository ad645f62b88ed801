/**
 * The page fed from a finished run or a flight recording (`vigil sim --html`, `vigil replay`): every record that
 * belongs on the page, embedded, with the drawings of its machines. The scrubber starts at the end.
 */
import type { MachineGraph } from '../machine-graph.js';
import type { ObservedEvent } from '../observed-event.js';
import { MachineSvgs } from './machine-svgs.js';
import { forPage } from './page-history.js';
import { pageHtml } from './page-html.js';

export interface StaticPageOptions {
  readonly title: string;
  readonly startMs?: number | undefined;
  /** End of the run (a simulation's duration), so the lanes reach it. */
  readonly endMs?: number | undefined;
  /** Wall-clock time at which the records' clock read 0 (a daemon's recording): the axis shows times of day. */
  readonly wallAtZeroMs?: number | undefined;
}

export async function staticPageHtml(events: readonly ObservedEvent[], options: StaticPageOptions): Promise<string> {
  const graphs: MachineGraph[] = [];
  const numbered: [number, ObservedEvent][] = [];
  for (const e of events) {
    if (e.kind === 'machine') graphs.push(e.graph);
    if (forPage(e)) numbered.push([numbered.length, e]);
  }
  const drawings = new MachineSvgs();
  const svgs = await drawings.all(graphs);
  const thumbs = await drawings.allThumbnails(graphs);
  return pageHtml({ title: options.title, live: false, svgs, thumbs, events: numbered, startMs: options.startMs, endMs: options.endMs, wallAtZeroMs: options.wallAtZeroMs });
}
