/** Stops the local stack started by global-setup, by its process id. */
export default async function globalTeardown() {
  const child = (globalThis as any).__LOCAL_STACK__ as import('node:child_process').ChildProcess | undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
