/**
 * Loading Bolt, only once an account with credentials starts. Bolt's package entry also loads its
 * Express and AWS Lambda receivers and the OAuth installer (Express alone is about 5 MB of RSS), none
 * of which we use; so the App, the two receivers we do use and the Web API client are required from
 * their own files, resolved from Bolt's install location.
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

export function loadBolt(): BoltLibs {
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
