/** The gateway token on HTTP (`Authorization: Bearer …`), with the same lockout as every other way in. */
import type { IncomingMessage } from "node:http";
import { checkAuth, type AuthRateLimiter, type ResolvedAuth } from "../auth.js";
import type { RequestTrust } from "../trust.js";

export type BearerCheck = { ok: true } | { ok: false; status: 429; retryAfterMs: number } | { ok: false; status: 401 };

export function checkBearer(
  deps: { auth: () => ResolvedAuth; limiter: AuthRateLimiter },
  req: IncomingMessage,
  trust: RequestTrust,
): BearerCheck {
  const wait = deps.limiter.retryAfter(trust.address);
  if (wait > 0) return { ok: false, status: 429, retryAfterMs: wait };
  const auth = deps.auth();
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
  // Without a gateway token, only this machine gets in.
  if (auth.mode === "none" ? !trust.isLocal : !checkAuth(auth, { token: bearer, password: bearer }).ok) {
    if (auth.mode !== "none") deps.limiter.fail(trust.address);
    return { ok: false, status: 401 };
  }
  deps.limiter.succeed(trust.address);
  return { ok: true };
}
