/**
 * Fault injection for the queue sources' crash tests (issue #14), read from
 * `DRIFTWATCH_COLLECTOR_FAULT`; inactive unless that variable is set:
 * - `ack-fail-once`: the first XACK / DeleteMessage after a durable write is dropped, as if the
 *   acknowledgement was lost on the wire (the message is redelivered and must be deduplicated);
 * - `exit-before-ack`: the process exits with code 137 (as after kill -9) right after the first
 *   durable write, before acknowledging anything.
 */
export type CollectorFault = 'ack-fail-once' | 'exit-before-ack';

export const COLLECTOR_FAULT_ENV = 'DRIFTWATCH_COLLECTOR_FAULT';

export function collectorFault(env: NodeJS.ProcessEnv = process.env): CollectorFault | undefined {
  const value = env[COLLECTOR_FAULT_ENV];
  return value === 'ack-fail-once' || value === 'exit-before-ack' ? value : undefined;
}

/** One-shot fault state for a source: `beforeAck()` answers whether this ack is to be dropped. */
export class FaultInjector {
  private fired = false;
  constructor(readonly fault: CollectorFault | undefined = collectorFault()) {}

  /** Called when a message became durable; exits the process under `exit-before-ack`. */
  onDurable(): void {
    if (this.fault === 'exit-before-ack' && !this.fired) {
      this.fired = true;
      process.stderr.write('driftwatch collector: fault exit-before-ack: exiting with 137 before acknowledging\n');
      process.exit(137);
    }
  }

  /** True once (under `ack-fail-once`): the caller drops this acknowledgement. */
  dropAck(): boolean {
    if (this.fault === 'ack-fail-once' && !this.fired) {
      this.fired = true;
      return true;
    }
    return false;
  }
}
