/**
 * V8's optimizing compiler, held off while the gateway starts.
 *
 * Start-up runs a great deal of code once: config validation, plugin loading (a TypeScript plugin is
 * transpiled), channel libraries setting themselves up, WhatsApp's protocol tables. Some of it runs hot
 * enough for V8 to optimize it, for nothing, since it does not run again, and the compiler's working
 * memory stays with the process once freed (the C allocator keeps it). With every channel, cron,
 * memory, the voice-call plugin and a third-party plugin loaded, the gateway idled at 90–93 MB with the
 * compiler on from the start and at 84–85 MB with it held until start-up was over. What runs message
 * after message is optimized as usual after that.
 *
 * Holds nest: the compiler comes back when the last one is released.
 */
import v8 from "node:v8";

let holds = 0;

/** Holds the optimizing compiler off until the returned function is called (once; later calls do nothing). */
export function holdOptimizer(): () => void {
  if (holds++ === 0) v8.setFlagsFromString("--no-opt");
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holds === 0) v8.setFlagsFromString("--opt");
  };
}

/** Whether the optimizing compiler is held off now. */
export function optimizerHeld(): boolean {
  return holds > 0;
}
