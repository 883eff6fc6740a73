/** Whether a lock's holder still runs on this host (the dataset locks, on disk and in a bucket). */

/**
 * True while process `pid` exists on this host (EPERM: it exists but belongs to someone else).
 *
 * @example
 * isProcessAlive(process.pid); // true
 */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
