/** Time zones as the config names them. */
import { loadZone } from "./zoneinfo.js";

/**
 * Whether `zone` is an IANA time zone name (or an alias) this system knows: from the tz database when
 * it has the zone, else as `Intl` does (which loads ICU's data; see src/infra/zoneinfo.ts).
 */
export function isTimeZone(zone: string): boolean {
  if (loadZone(zone)) return true;
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
