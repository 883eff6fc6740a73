/**
 * Keeps a copy of everything this process prints on stdout, so that the run's full output can
 * be written into BENCHMARKS.md while still being shown as it happens.
 */

export interface OutputTee {
  text(): string;
  stop(): void;
}

/**
 * Starts copying `process.stdout` writes; `stop()` restores the original `write`.
 *
 * @example
 * const tee = teeStdout(); console.log('x'); tee.stop(); tee.text() // 'x\n'
 */
export function teeStdout(): OutputTee {
  const chunks: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  return {
    text: () => chunks.join(''),
    stop() {
      process.stdout.write = original;
    },
  };
}
