/**
 * `vigil replay RECORDING [-o PAGE.html] [--svg FILE] [--json]`: a flight recording (from `vigil run --record` or
 * `vigil sim --record`) back as the page (statecharts, timeline, scrubber; self-contained, works from a file), as
 * the timeline picture, or as JSON: the transitions and VIP changes in the shape `vigil sim --json` prints them.
 * Without an option, the page goes to stdout. Exit 2 when the file is not a recording.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readRecording, RecordingError } from '../observe/recording-reader.js';
import { staticPageHtml } from '../observe/page/static-page.js';
import { timelineSvg } from '../observe/page/timeline-svg.js';
import { foldEvents } from '../observe/timeline-model.js';
import { failer, type Fail } from './fail.js';

interface ReplayOptions {
  output?: string;
  svg?: string;
  json?: boolean;
}

const fail: Fail = failer('replay');

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('open a flight recording as the page, a timeline picture, or JSON')
    .argument('<recording>', 'recording file (FILE.1 … FILE.n beside it are read too)')
    .option('-o, --output <file>', 'write the page to FILE')
    .option('--svg <file>', 'write the timeline picture to FILE')
    .option('--json', 'print the transitions, VIP changes and faults as JSON')
    .action(async (file: string, options: ReplayOptions) => {
      let recording: ReturnType<typeof readRecording>;
      try {
        recording = readRecording(file);
      } catch (err) {
        if (err instanceof RecordingError) fail(err.message);
        throw err;
      }
      if (recording.truncated) process.stderr.write(`vigil replay: ${file}: the last record was cut short (writer killed?); replaying up to it\n`);
      const meta = recording.header.meta;
      const sim = recording.header.source === 'sim';
      const timeline = foldEvents(recording.events);
      const first = recording.events.find((e) => e.kind !== 'machine')?.at ?? 0;
      const last = recording.events.reduce((m, e) => Math.max(m, e.at), 0);
      const startMs = sim ? 0 : first;
      const endMs = typeof meta['duration_ms'] === 'number' ? meta['duration_ms'] : last;
      // A daemon's recording names the wall-clock time at which its monotonic clock read 0.
      const epoch = !sim && typeof meta['clock_epoch_ms'] === 'number' ? meta['clock_epoch_ms'] : undefined;
      const title = sim ? `${String(meta['scenario'] ?? file)} seed ${String(meta['seed'] ?? '?')} (recorded)` : `${String(meta['node'] ?? file)} (recorded ${String(meta['started_at'] ?? '')})`;
      if (options.json) {
        const { transitions, vips, faults } = timeline;
        process.stdout.write(`${JSON.stringify({ source: recording.header.source, meta, transitions, vips, faults })}\n`);
      }
      if (options.svg !== undefined) {
        const shift = <T extends { t_ms: number }>(list: readonly T[]): T[] => list.map((x) => ({ ...x, t_ms: x.t_ms - startMs }));
        const svg = timelineSvg({
          transitions: shift(timeline.transitions),
          vips: shift(timeline.addressChanges),
          faults: shift(timeline.faults),
          bfd: shift(timeline.bfd),
          processes: shift(timeline.processes),
          startMs: 0,
          endMs: endMs - startMs,
          wallAtZeroMs: epoch === undefined ? undefined : epoch + startMs,
          title,
        });
        writeFileSync(options.svg, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
      }
      if (options.output !== undefined || (!options.json && options.svg === undefined)) {
        const html = await staticPageHtml(recording.events, { title, startMs, endMs, wallAtZeroMs: epoch });
        if (options.output !== undefined) writeFileSync(options.output, html);
        else process.stdout.write(html);
      }
    });
}
