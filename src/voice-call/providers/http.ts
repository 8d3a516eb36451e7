/** The providers' REST calls: bounded in time and size, errors naming what failed and what to check. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

const MAX_RESPONSE = 256 * 1024;

export async function restCall(
  what: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
  } catch (e) {
    throw new ProviderError(`${what}: could not reach ${new URL(url).origin} (${(e as Error).message})`);
  }
  const text = (await res.text()).slice(0, MAX_RESPONSE);
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* plain text */
  }
  if (!res.ok) {
    const detail =
      typeof body === "object" && body && "message" in body ? String((body as { message: unknown }).message) : text.slice(0, 300);
    const hint = res.status === 401 || res.status === 403 ? " (check the provider credentials)" : "";
    throw new ProviderError(`${what}: HTTP ${res.status}${hint}: ${detail}`, res.status);
  }
  return body;
}

export function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** The headers of a REST call with HTTP basic credentials (Twilio's account sid, Plivo's auth id). */
export function basicAuthHeaders(user: string, secret: string, contentType: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`, "content-type": contentType };
}
