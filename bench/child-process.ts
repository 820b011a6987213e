import { spawn, type ChildProcess } from 'node:child_process';

/** A child process that said it is ready, with what it said. */
export interface ReadyProcess<T> {
  readonly child: ChildProcess;
  readonly ready: T;
}

/**
 * Runs `node ARGS` and resolves once `ready` finds what it waits for in the child's output so
 * far (stdout and stderr together). From then on the output is drained and ignored, so the
 * child never blocks on a full pipe. Rejects with the whole output if the child exits first.
 */
export function startNodeProcess<T>(args: readonly string[], ready: (output: string) => T | undefined): Promise<ReadyProcess<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = ready(output);
      if (found === undefined) return;
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.stdout.resume();
      child.stderr.resume();
      child.removeAllListeners('exit');
      resolve({ child, ready: found });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${String(code)}: ${output}`)));
  });
}

/** `startNodeProcess` waiting for the first match of `pattern`. */
export function startNodeProcessMatching(args: readonly string[], pattern: RegExp): Promise<ReadyProcess<RegExpExecArray>> {
  return startNodeProcess(args, (output) => pattern.exec(output) ?? undefined);
}

/** Sends SIGTERM and resolves when the child has exited (at once if it already has). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
