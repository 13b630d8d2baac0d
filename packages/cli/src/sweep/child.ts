/**
 * The entry point of a run's process under a sweep or a worker: the CLI itself (`child.js train ...`), which
 * also stops when its parent dies. The parent spawns it with an IPC channel; when that closes without the
 * parent having closed it (the parent was killed), the run stops as on Ctrl-C, saving its last completed
 * epoch, so a dead parent never leaves a run training on its own. Under a worker (RNN_SCRATCH_RUN_ORPHANED=exit)
 * it ends at once instead: its folder was the worker's temporary copy, and its checkpoints are in Redis.
 */

const orphaned = () =>
  process.kill(process.pid, process.env.RNN_SCRATCH_RUN_ORPHANED === 'exit' ? 'SIGKILL' : 'SIGINT');

if (process.channel) {
  // The channel only watches the parent: it must not keep this process alive once the run is done.
  process.channel.unref();
  // Listen before the CLI's modules load (loading takes turns of the event loop, where a parent that died
  // early would go unnoticed); until train handles SIGINT, the signal ends the process at once.
  process.once('disconnect', orphaned);
} else if (process.connected === false) {
  // Spawned with a channel that closed before this code ran: the parent is gone already.
  orphaned();
}

const { run } = await import('../main.js');
await run();
