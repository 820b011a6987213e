import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Keeps the process under test on a CPU of its own, as Envoy's own benchmarks do with Nighthawk:
 * the forwarder being measured runs on the last CPU, and everything else (the load generator,
 * the upstream, Mixer) on the others. Without it, a forwarder's throughput on this small
 * machine measures the scheduler as much as the forwarder: Mixer decoding a batch of reports
 * takes a core for a millisecond, and whichever process was on it waits. Uses `taskset`
 * (util-linux), every thread of a process included.
 */
export class CpuPinning {
  private constructor(
    private readonly forwarderCpu: string,
    private readonly otherCpus: string,
    private readonly allCpus: string,
  ) {}

  /** Pinning on this machine, or why not (fewer than two CPUs, or no `taskset`). */
  static detect(): CpuPinning | string {
    const cpus = availableParallelism();
    if (cpus < 2) return `one CPU only`;
    try {
      execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    } catch {
      return 'taskset (util-linux) is not installed';
    }
    const last = cpus - 1;
    return new CpuPinning(String(last), last === 1 ? '0' : `0-${last - 1}`, `0-${last}`);
  }

  describe(): string {
    return `forwarders under test pinned to CPU ${this.forwarderCpu}; load generator, upstream and Mixer to CPU ${this.otherCpus}`;
  }

  /** The process under test: the CPU of its own. */
  pinForwarder(pid: number): void {
    this.pin(pid, this.forwarderCpu);
  }

  /** Everything else: the other CPUs. */
  pinOther(pid: number): void {
    this.pin(pid, this.otherCpus);
  }

  /** Lets `pid` run anywhere again (the bench process, before the next bench). */
  release(pid: number): void {
    this.pin(pid, this.allCpus);
  }

  private pin(pid: number, cpus: string): void {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' });
  }
}
