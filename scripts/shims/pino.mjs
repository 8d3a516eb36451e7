// What Baileys asks of pino when it is given no logger of its own: a default logger with `level`,
// `child` and one method per level, writing pino's JSON lines to stdout from `info` up. The gateway
// always hands Baileys its own logger, so this only stands in for the library's module-level default
// (pino and its transports' machinery are ~2 MB of code otherwise kept loaded with every account).
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

function make(bindings, options) {
  const logger = {
    level: options.level ?? "info",
    child: (more, childOptions = {}) => make({ ...bindings, ...more }, { ...options, ...childOptions }),
    isLevelEnabled: (level) => LEVELS[level] >= (LEVELS[logger.level] ?? Infinity),
  };
  for (const [name, value] of Object.entries(LEVELS)) {
    logger[name] = (obj, msg) => {
      if (value < (LEVELS[logger.level] ?? Infinity)) return;
      const fields =
        typeof obj === "object" && obj !== null ? (obj instanceof Error ? { err: { message: obj.message, stack: obj.stack } } : obj) : {};
      const text = typeof obj === "string" ? obj : msg;
      const line = { level: value, time: Date.now(), ...bindings, ...fields, ...(text ? { msg: text } : {}) };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    };
  }
  logger.silent = () => {};
  return logger;
}

export default function pino(options = {}) {
  return make({}, options);
}
export { pino };
