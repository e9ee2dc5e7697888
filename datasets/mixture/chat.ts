/**
 * Instruction data to tokens plus a loss mask. Records in alpaca, sharegpt, messages or
 * {prompt, response} form become a list of messages; a chat template renders them.
 *
 * The mask is 1 exactly on each assistant turn's content tokens and the token that ends that
 * turn (`<|im_end|>`, `<|eot_id|>`, or eos for `plain`), so the model learns what to say and
 * when to stop, and is never trained to predict the user's words or the template.
 */
import { KilnError } from "../../core/index.js";
import type { Tokenizer } from "../tokenizer/types.js";
import type { ChatTemplate, SourceFormat } from "./spec.js";

export type Role = "system" | "user" | "assistant";
export interface Message {
  role: Role;
  content: string;
}

const SHAREGPT_ROLES: Record<string, Role> = {
  system: "system", human: "user", user: "user", gpt: "assistant", assistant: "assistant", chatgpt: "assistant", bard: "assistant", bing: "assistant",
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The messages of one record, or the reason it cannot be read (a counted skip). */
export function toMessages(record: unknown, format: Exclude<SourceFormat, "text">): Message[] | string {
  if (!isObject(record)) return "not_an_object";
  let messages: Message[];
  switch (format) {
    case "alpaca": {
      const { instruction, input, output, system } = record;
      if (typeof instruction !== "string" || typeof output !== "string") return "alpaca_needs_instruction_and_output";
      const user = typeof input === "string" && input.trim() !== "" ? `${instruction}\n\n${input}` : instruction;
      messages = [{ role: "user", content: user }, { role: "assistant", content: output }];
      if (typeof system === "string" && system !== "") messages.unshift({ role: "system", content: system });
      break;
    }
    case "sharegpt": {
      const turns = record.conversations;
      if (!Array.isArray(turns)) return "sharegpt_needs_conversations";
      messages = [];
      for (const turn of turns) {
        const role = isObject(turn) && typeof turn.from === "string" ? SHAREGPT_ROLES[turn.from.toLowerCase()] : undefined;
        if (!role || typeof (turn as { value?: unknown }).value !== "string") return "sharegpt_bad_turn";
        messages.push({ role, content: (turn as { value: string }).value });
      }
      break;
    }
    case "messages": {
      const turns = record.messages;
      if (!Array.isArray(turns)) return "messages_needs_messages";
      messages = [];
      for (const turn of turns) {
        if (!isObject(turn) || typeof turn.content !== "string" || !["system", "user", "assistant"].includes(turn.role as string)) return "messages_bad_turn";
        messages.push({ role: turn.role as Role, content: turn.content });
      }
      break;
    }
    case "prompt_response": {
      const response = record.response ?? record.completion;
      if (typeof record.prompt !== "string" || typeof response !== "string") return "needs_prompt_and_response";
      messages = [{ role: "user", content: record.prompt }, { role: "assistant", content: response }];
      break;
    }
  }
  if (!messages.some((m) => m.role === "assistant")) return "no_assistant_turn";
  return messages;
}

export interface Rendered {
  tokens: number[];
  mask: number[];
}

const TEMPLATE_SPECIALS: Record<ChatTemplate, string[]> = {
  chatml: ["<|im_start|>", "<|im_end|>"],
  llama3: ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
  plain: [],
};

/** Fails early, naming the template and the missing token, when a tokenizer cannot render a template. */
export function checkTemplate(template: ChatTemplate, tokenizer: Tokenizer, where: string): void {
  const missing = TEMPLATE_SPECIALS[template].filter((t) => !tokenizer.specialTokens.has(t));
  if (missing.length > 0) {
    throw new KilnError("bad_config", `${where}: template ${template} needs special token(s) ${missing.join(" ")}, which tokenizer ${tokenizer.name} lacks; use a kiln-trained tokenizer (it has them all)${template === "chatml" ? " or cl100k_base / o200k_base" : ""}`);
  }
  if (tokenizer.eos < 0) throw new KilnError("bad_config", `${where}: tokenizer ${tokenizer.name} has no end-of-document token (<|eos|> or <|endoftext|>)`);
}

const PLAIN_LABEL: Record<Role, string> = { system: "SYSTEM", user: "USER", assistant: "AI" };

/** The tokens that open a turn of `role`: what the model reads, never predicts. */
function turnOpening(role: Role, template: ChatTemplate, tokenizer: Tokenizer): number[] {
  const special = (text: string) => tokenizer.specialTokens.get(text)!;
  switch (template) {
    case "chatml":
      return [special("<|im_start|>"), ...tokenizer.encode(`${role}\n`)];
    case "llama3":
      return [special("<|start_header_id|>"), ...tokenizer.encode(role), special("<|end_header_id|>"), ...tokenizer.encode("\n\n")];
    case "plain":
      return tokenizer.encode(`${PLAIN_LABEL[role]}: `);
  }
}

/** The token that ends an assistant turn: where training teaches the model to stop, and generation stops. */
export function turnEnd(template: ChatTemplate, tokenizer: Tokenizer): number {
  if (template === "chatml") return tokenizer.specialTokens.get("<|im_end|>")!;
  if (template === "llama3") return tokenizer.specialTokens.get("<|eot_id|>")!;
  return tokenizer.eos;
}

function renderTurns(messages: Message[], template: ChatTemplate, tokenizer: Tokenizer): Rendered {
  const tokens: number[] = [];
  const mask: number[] = [];
  const push = (ids: number[], trained: boolean) => {
    for (const id of ids) {
      tokens.push(id);
      mask.push(trained ? 1 : 0);
    }
  };
  if (template === "llama3") {
    const bos = tokenizer.specialTokens.get("<|bos|>") ?? tokenizer.specialTokens.get("<|begin_of_text|>");
    if (bos !== undefined) push([bos], false);
  }
  for (const { role, content } of messages) {
    const assistant = role === "assistant";
    push(turnOpening(role, template, tokenizer), false);
    if (template === "plain" && !assistant) push(tokenizer.encode(`${content}\n`), false);
    else push([...tokenizer.encode(content), turnEnd(template, tokenizer)], assistant);
    if (template === "chatml") push(tokenizer.encode("\n"), false);
  }
  return { tokens, mask };
}

export function renderChat(messages: Message[], template: ChatTemplate, tokenizer: Tokenizer): Rendered {
  const rendered = renderTurns(messages, template, tokenizer);
  // Every document ends with eos, so documents laid end to end stay separated.
  if (rendered.tokens[rendered.tokens.length - 1] !== tokenizer.eos) {
    rendered.tokens.push(tokenizer.eos);
    rendered.mask.push(0);
  }
  return rendered;
}

/**
 * A conversation rendered as training renders it, followed by the opening of the assistant's
 * turn: the prompt a model fine-tuned on this template answers. Generation stops at `stop`.
 */
export function renderGenerationPrompt(messages: Message[], template: ChatTemplate, tokenizer: Tokenizer): { tokens: number[]; stop: number } {
  const { tokens } = renderTurns(messages, template, tokenizer);
  return { tokens: [...tokens, ...turnOpening("assistant", template, tokenizer)], stop: turnEnd(template, tokenizer) };
}
