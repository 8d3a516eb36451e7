// Node has had the WHATWG URL classes built in since v10; the `whatwg-url` package (a fallback of
// node-fetch 2, used by grammY) would add its Unicode tables, about 1.6 MB of heap, for nothing.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
