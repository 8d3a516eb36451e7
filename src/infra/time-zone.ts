/** Time zones as the config names them. */

/** Whether `zone` is an IANA time zone name (or an alias) this Node knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone }).format(0);
    return true;
  } catch {
    return false;
  }
}

/** `zone` when it is a known time zone; undefined when it is missing or unknown. */
export function knownTimeZone(zone: string | undefined): string | undefined {
  return zone && isTimeZone(zone) ? zone : undefined;
}
