/** How the adapter reads grammY's errors: retry, wait, give up, or fall back to plain text. */
import { GrammyError, HttpError, type Api } from "grammy";

/** grammY types its signals with the `abort-controller` polyfill; Node's own AbortSignal works at runtime. */
export type ApiSignal = NonNullable<Parameters<Api["getMe"]>[0]>;
export const apiSignal = (s: AbortSignal): ApiSignal => s as unknown as ApiSignal;

/** Is retrying (later) likely to help? Network failures, 5xx and 429 yes; other Telegram errors no. */
export function retryable(err: unknown): boolean {
  if (err instanceof HttpError) return true;
  if (err instanceof GrammyError) return err.error_code === 429 || err.error_code >= 500;
  return false;
}

export function retryAfterMs(err: unknown): number | undefined {
  if (err instanceof GrammyError && err.error_code === 429 && typeof err.parameters.retry_after === "number") {
    return err.parameters.retry_after * 1000;
  }
  return undefined;
}

export function isBadToken(err: unknown): boolean {
  // 401 for a revoked/wrong token; getMe answers 404 for one that is not even token-shaped.
  return err instanceof GrammyError && (err.error_code === 401 || (err.error_code === 404 && err.method === "getMe"));
}

export function isParseError(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /can't parse entities/i.test(err.description);
}

export function isChatNotFound(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /chat not found/i.test(err.description);
}
