/**
 * The observability options of `vigil sim`: `--record FILE` (the run's inspection stream as a flight recording),
 * `--svg FILE` (the timeline picture) and `--html FILE` (the page, fed from the finished run, working from a file).
 * sim-command.ts passes `observe` to the simulation and calls `finish` with its result.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SimulationObserver, SimulationOptions, SimulationResult } from '../sim/run.js';
import { FlightRecorder } from '../observe/flight-recorder.js';
import { InspectionStream } from '../observe/inspection-stream.js';
import type { ObservedEvent } from '../observe/observed-event.js';
import { staticPageHtml } from '../observe/page/static-page.js';
import { timelineSvg } from '../observe/page/timeline-svg.js';
import { foldEvents } from '../observe/timeline-model.js';

export interface SimObservationOptions {
  record?: string;
  svg?: string;
  html?: string;
}

export function addSimObservationOptions(command: Command): Command {
  return command
    .option('--record <file>', 'write the run as a flight recording (replay it with `vigil replay FILE`)')
    .option('--svg <file>', 'write the timeline as an SVG picture')
    .option('--html <file>', 'write the page (statecharts, timeline, scrubber) as one self-contained HTML file');
}

export class SimObservation {
  private stream: InspectionStream | undefined;
  private recorder: FlightRecorder | undefined;
  private readonly events: ObservedEvent[] = [];

  constructor(
    private readonly options: SimObservationOptions,
    private readonly meta: Readonly<Record<string, string | number>>,
  ) {}

  get wanted(): boolean {
    return this.options.record !== undefined || this.options.svg !== undefined || this.options.html !== undefined;
  }

  /** For SimulationOptions.observe. */
  readonly observe: NonNullable<SimulationOptions['observe']> = ({ bus, clock }): SimulationObserver => {
    const stream = new InspectionStream(clock);
    this.stream = stream;
    stream.attachBus(bus);
    if (this.options.record !== undefined) {
      this.recorder = new FlightRecorder({
        path: this.options.record,
        source: 'sim',
        meta: this.meta,
        maxBytes: 1 << 30,
        onError: (message) => process.stderr.write(`vigil: ${message}\n`),
      });
      this.recorder.attach(stream.events$);
    }
    if (this.options.svg !== undefined || this.options.html !== undefined) stream.events$.subscribe((e) => this.events.push(e));
    return stream;
  };

  async finish(result: SimulationResult, title: string): Promise<void> {
    this.stream?.complete();
    this.recorder?.close();
    if (this.options.svg !== undefined) {
      const timeline = foldEvents(this.events);
      const svg = timelineSvg({
        transitions: timeline.transitions,
        vips: timeline.addressChanges,
        faults: timeline.faults,
        bfd: timeline.bfd,
        processes: timeline.processes,
        startMs: 0,
        endMs: result.duration_ms,
        title,
      });
      writeFileSync(this.options.svg, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
    }
    if (this.options.html !== undefined) {
      writeFileSync(this.options.html, await staticPageHtml(this.events, { title, startMs: 0, endMs: result.duration_ms }));
    }
  }
}
