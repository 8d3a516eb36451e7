// Node has had AbortController and AbortSignal built in since v15; the `abort-controller` package
// (grammY's fallback) would define its own classes, which node-fetch 2 (grammY's HTTP client)
// tells apart from real signals by their class name.
module.exports = { AbortController: globalThis.AbortController, AbortSignal: globalThis.AbortSignal, default: globalThis.AbortController };
