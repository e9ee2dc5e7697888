/**
 * A minimal OpenAI-compatible chat-completions client (vLLM, Ollama, llama.cpp server and hosted
 * APIs speak it): one user message, a request timeout, and retries with exponential backoff on
 * 429, 5xx, network errors and timeouts, honouring Retry-After up to the delay cap.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseRetryAfter } from "../../core/index.js";

export interface ChatConfig {
  /** e.g. http://localhost:8000/v1; the client posts to `<baseUrl>/chat/completions`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  temperature: number;
  maxTokens: number;
}

export const DEFAULT_CHAT: Omit<ChatConfig, "baseUrl" | "model"> = {
  timeoutMs: 60_000,
  retries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  temperature: 0,
  maxTokens: 512,
};

export interface ChatReply {
  content: string;
  finishReason?: string;
  promptTokens: number;
  completionTokens: number;
  /** HTTP requests made, retries included. */
  attempts: number;
}

/**
 * Why a request gave no reply: `http_<status>` (after retries for 429/5xx, at once for other
 * statuses), `timeout`, `network`, or `bad_response` (a 200 whose body is not a chat completion).
 */
export class ChatError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = "ChatError";
  }
}

class Retryable extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}


/**
 * Text from the server, safe to log: the API key and any bearer token or authorization value
 * removed (a server or proxy that echoes the request would otherwise print the key), then cut to
 * 200 characters — after redacting, so a cut cannot leave part of the key.
 */
export function redactSecrets(text: string, apiKey?: string): string {
  let out = apiKey ? text.split(apiKey).join("[redacted]") : text;
  out = out.replace(/(bearer\s+)[^\s"',;]+/gi, "$1[redacted]").replace(/("?(?:authorization|api[-_]?key|x-api-key)"?\s*[:=]\s*"?)[^"\s,;}]+/gi, "$1[redacted]");
  return out.slice(0, 200);
}

async function attempt(config: ChatConfig, prompt: string): Promise<Omit<ChatReply, "attempts">> {
  const shown = (text: string) => redactSecrets(text, config.apiKey);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  const body = JSON.stringify({ model: config.model, messages: [{ role: "user", content: prompt }], temperature: config.temperature, max_tokens: config.maxTokens });
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${config.baseUrl.replace(/\/+$/, "")}/chat/completions`, { method: "POST", headers, body, signal: AbortSignal.timeout(config.timeoutMs) });
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") throw new Retryable("timeout", `no reply within ${config.timeoutMs} ms`);
    throw new Retryable("network", shown((error as Error).message));
  }
  if (response.status === 429 || response.status >= 500) {
    throw new Retryable(`http_${response.status}`, `HTTP ${response.status}: ${shown(text)}`, parseRetryAfter(response.headers.get("retry-after")));
  }
  if (!response.ok) throw new ChatError(`http_${response.status}`, `HTTP ${response.status}: ${shown(text)}`, 1);
  let parsed: { choices?: { message?: { content?: unknown }; finish_reason?: unknown }[]; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new ChatError("bad_response", `body is not JSON: ${shown(text)}`, 1);
  }
  const choice = parsed.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== "string") throw new ChatError("bad_response", `no choices[0].message.content in ${shown(text)}`, 1);
  const tokens = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : 0);
  return {
    content,
    finishReason: typeof choice?.finish_reason === "string" ? choice.finish_reason : undefined,
    promptTokens: tokens(parsed.usage?.prompt_tokens),
    completionTokens: tokens(parsed.usage?.completion_tokens),
  };
}

/** One chat completion, retried as described above; `onRetry` hears each failed attempt. */
export async function chatComplete(config: ChatConfig, prompt: string, onRetry?: (reason: string, delayMs: number) => void): Promise<ChatReply> {
  for (let attempts = 1; ; attempts++) {
    try {
      return { ...(await attempt(config, prompt)), attempts };
    } catch (error) {
      if (error instanceof ChatError) throw new ChatError(error.reason, error.message, attempts);
      if (!(error instanceof Retryable)) throw error;
      if (attempts > config.retries) throw new ChatError(error.reason, `${error.message} (after ${attempts} attempts)`, attempts);
      // Jitter (50–100% of the backoff), so many workers that hit a rate limit together do not come back together.
      const backoff = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
      const delay = Math.min(config.maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0));
      onRetry?.(error.reason, delay);
      await sleep(delay);
    }
  }
}
