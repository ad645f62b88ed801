/**
 * Joins the services of every virtual server into one desired state and hands it to the load-balancer backend.
 * Unchanged states are not re-applied. Real backends get one apply at a time (the newest state wins when
 * several changes come during an apply); the simulated backend, which is synchronous on the virtual clock, gets
 * each state at once (`immediate`) so that its history carries exact times.
 */
import type { ApplyReport, DesiredState, LoadBalancerBackend, VirtualService } from '../transport/lb/desired-state.js';

export interface LoadBalancerSyncOptions {
  readonly immediate?: boolean;
  readonly onApplied?: (report: ApplyReport) => void;
  readonly onError?: (error: unknown) => void;
}

export class LoadBalancerSync {
  private readonly parts = new Map<string, readonly VirtualService[]>();
  private lastSignature = JSON.stringify({ services: [] });
  private running: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly backend: LoadBalancerBackend,
    private readonly options: LoadBalancerSyncOptions = {},
  ) {}

  set(owner: string, services: readonly VirtualService[]): void {
    this.parts.set(owner, services);
    this.schedule();
  }

  delete(owner: string): void {
    if (this.parts.delete(owner)) this.schedule();
  }

  state(): DesiredState {
    return { services: [...this.parts.values()].flat() };
  }

  /** Resolves when everything set so far has been applied. */
  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private schedule(): void {
    if (this.options.immediate) {
      void this.applyLatest();
      return;
    }
    this.dirty = true;
    if (this.running !== undefined) return;
    this.running = (async () => {
      while (this.dirty) {
        this.dirty = false;
        await this.applyLatest();
      }
      this.running = undefined;
    })();
  }

  private async applyLatest(): Promise<void> {
    const state = this.state();
    const signature = JSON.stringify(state);
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    try {
      const report = await this.backend.apply(state);
      this.options.onApplied?.(report);
    } catch (error) {
      // Let the next change try again from scratch.
      this.lastSignature = '';
      this.options.onError?.(error);
    }
  }
}
