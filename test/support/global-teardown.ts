/** Stops the local stack started by global-setup, by its process id, and then DynamoDB Local by its own. */
export default async function globalTeardown() {
  const child = (globalThis as any).__LOCAL_STACK__ as import('node:child_process').ChildProcess | undefined;
  if (child && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
  // A stack killed before its own stop finished leaves DynamoDB Local's Java process running.
  const dynamoPid = (globalThis as any).__LOCAL_DYNAMO_PID__ as number | undefined;
  if (dynamoPid) {
    try {
      process.kill(dynamoPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
