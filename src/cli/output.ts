/**
 * What happens when the reader of our output goes away early (`openclaw config schema | head`): the
 * next write fails with EPIPE. Unix tools end quietly then, and so does every command here. A running
 * gateway is the exception: it keeps serving, its console lines simply stop (the log file still gets
 * everything).
 */
const CLOSED = new Set(["EPIPE", "ERR_STREAM_DESTROYED"]);

export function exitQuietlyWhenOutputCloses(keepRunning: () => boolean): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (!err.code || !CLOSED.has(err.code)) throw err;
      if (keepRunning()) return;
      // The exit code the command already chose, 0 otherwise.
      process.exit();
    });
  }
}
