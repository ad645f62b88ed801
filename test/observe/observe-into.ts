/** The `observe` of runSimulation most observing tests want. Only exports. */
import { InspectionStream } from '../../observe/inspection-stream.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import type { SimulationOptions } from '../../sim/run.js';

/** An InspectionStream of the run's actors and bus whose every record goes to `sink`. */
export function observeInto(sink: (e: ObservedEvent) => void): NonNullable<SimulationOptions['observe']> {
  return ({ bus, clock }) => {
    const stream = new InspectionStream(clock);
    stream.attachBus(bus);
    stream.events$.subscribe(sink);
    return stream;
  };
}
