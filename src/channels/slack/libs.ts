/**
 * Loading Bolt, only once an account with credentials starts. Bolt's package entry also loads its
 * Express and AWS Lambda receivers and the OAuth installer (Express alone is about 5 MB of RSS), none
 * of which we use; so the App, the two receivers we do use and the Web API client are required from
 * their own files, resolved from Bolt's install location.
 *
 * The Web API client sends its requests with axios, which picks its Node `http` adapter. But axios,
 * when its module is first evaluated, reads the global `FormData` and builds a `Request` and a
 * `Response` to probe what its fetch adapter could do. Node defines those globals as getters that load
 * its fetch implementation (undici) on first use: measured with everything else the gateway loads,
 * about 3 MB of RSS for a probe whose result the client never uses. So they read as undefined while
 * Bolt's files are required (a synchronous call: no other code runs meanwhile) and are put back as
 * they were straight after.
 */
import { createRequire } from "node:module";
import type * as BoltTypes from "@slack/bolt";

export interface BoltLibs {
  App: typeof BoltTypes.App;
  HTTPReceiver: typeof BoltTypes.HTTPReceiver;
  SocketModeReceiver: typeof BoltTypes.SocketModeReceiver;
  LogLevel: typeof BoltTypes.LogLevel;
  WebClient: typeof BoltTypes.webApi.WebClient;
}

/** Web globals that Node defines as getters which load undici on first use. */
const LAZY_FETCH_GLOBALS = ["Request", "Response", "Headers", "FormData"] as const;

/** Runs `load` with Node's lazily loaded fetch globals hidden, restoring them whatever happens. */
export function withoutFetchGlobals<T>(load: () => T): T {
  const saved = new Map<string, PropertyDescriptor>();
  for (const name of LAZY_FETCH_GLOBALS) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    // Only accessors that have not run yet are hidden: a value (already loaded, or replaced by the
    // user) costs nothing to read and is left alone.
    if (!d?.get || !d.configurable) continue;
    saved.set(name, d);
    Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true, enumerable: d.enumerable });
  }
  try {
    return load();
  } finally {
    for (const [name, d] of saved) Object.defineProperty(globalThis, name, d);
  }
}

export function loadBolt(): BoltLibs {
  return withoutFetchGlobals(requireBolt);
}

function requireBolt(): BoltLibs {
  const fromHere = createRequire(import.meta.url);
  const entry = fromHere.resolve("@slack/bolt");
  const req = createRequire(entry);
  const part = (file: string) => {
    try {
      return req(file);
    } catch {
      return null; // a future layout moved it: fall back to the package entry
    }
  };
  const App = part("./App.js")?.default;
  const HTTPReceiver = part("./receivers/HTTPReceiver.js")?.default;
  const SocketModeReceiver = part("./receivers/SocketModeReceiver.js")?.default;
  const logger = part("@slack/logger");
  const webApi = part("@slack/web-api");
  if (App && HTTPReceiver && SocketModeReceiver && logger?.LogLevel && webApi?.WebClient)
    return { App, HTTPReceiver, SocketModeReceiver, LogLevel: logger.LogLevel, WebClient: webApi.WebClient };
  const bolt = req(entry) as typeof BoltTypes;
  return {
    App: bolt.App,
    HTTPReceiver: bolt.HTTPReceiver,
    SocketModeReceiver: bolt.SocketModeReceiver,
    LogLevel: bolt.LogLevel,
    WebClient: bolt.webApi.WebClient,
  };
}
