/** Runs async tasks with at most `parallelism` in flight; stops starting new ones once `stop()` says so. */
export async function runPool<T>(
  tasks: readonly T[],
  parallelism: number,
  worker: (task: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(parallelism, tasks.length)) }, async () => {
    while (next < tasks.length && !stop()) {
      const task = tasks[next++] as T;
      await worker(task);
    }
  });
  await Promise.all(lanes);
}
