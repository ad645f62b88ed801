/**
 * An object that owns one actor, made in the subclass's constructor (its actions close over the object, so it
 * cannot be made before): start() starts it; stop() stops it and sets `stopped`, which tells callbacks that come
 * late (a probe's answer, a script's exit, a file read) to drop what they bring.
 */
import type { AnyActor } from 'xstate';

export abstract class OwnedActor<A extends AnyActor> {
  protected actor!: A;
  protected stopped = false;

  start(): void {
    this.actor.start();
  }

  stop(): void {
    this.stopped = true;
    this.actor.stop();
  }
}
