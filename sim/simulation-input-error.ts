/**
 * A scenario the simulator cannot run as written (a node's keepalived.conf with an error, an instance on an
 * interface the node lacks, an event naming what a node does not have): its message is one line naming the file.
 */
export class SimulationInputError extends Error {}
