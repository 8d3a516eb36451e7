/**
 * A copy of `obj` whose `key` is built by `build` on first read (and kept). Used for schemas that most
 * gateways never need: a method's params, a tool's arguments.
 */
export function withLazyProperty<T extends object, K extends keyof T>(obj: Omit<T, K>, key: K, build: () => T[K]): T {
  let built: { value: T[K] } | undefined;
  return Object.defineProperty({ ...obj } as T, key, {
    get: () => (built ??= { value: build() }).value,
    enumerable: true,
    configurable: true,
  });
}
