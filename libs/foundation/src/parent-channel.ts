/**
 * Stops this process when the process that started it goes away, even by SIGKILL.
 *
 * A parent that spawns the app with an IPC channel (`stdio: [..., 'ipc']`, or `fork()`) holds one end of
 * a socket pair; when the parent dies, for whatever reason, the kernel closes its end and Node emits
 * `disconnect` here. No signal reaches a child when its parent is killed, so without this the
 * coordinator and workers that `npm start` launched went on serving (and dialling) with nobody left to
 * stop them, their ports taken for the next start. A process started without a channel (a shell, systemd,
 * a container runtime) is left alone: nothing changes for it. The channel is unref'd after the listener
 * is added (adding a `disconnect` listener refs it), so it never keeps the process alive by itself.
 * Cluster members (`--processes N`) are not watched here: Node's cluster already ends a member whose
 * primary's channel closes.
 *
 * Call it once the app can stop (its `stop` is the SIGTERM one). Returns whether a parent is watched.
 */
export function stopWithParent(stop: (reason: 'parent gone') => void): boolean {
  const channel = process.channel;
  if (channel === undefined || process.env['NODE_UNIQUE_ID'] !== undefined) return false;
  // Gone already (while the app started): the channel says so, and no `disconnect` will come.
  if (!process.connected) {
    setImmediate(() => stop('parent gone'));
    return true;
  }
  process.once('disconnect', () => stop('parent gone'));
  channel.unref();
  return true;
}
