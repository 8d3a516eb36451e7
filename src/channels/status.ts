import type { ChannelStatus } from "./types.js";

/** `status` plus those of `optional` that are set: what never happened (no error, no message yet) is left out, not null. */
export function statusWith(status: ChannelStatus, optional: Partial<ChannelStatus>): ChannelStatus {
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined && v !== null && v !== "" && v !== 0) (status as unknown as Record<string, unknown>)[k] = v;
  return status;
}
