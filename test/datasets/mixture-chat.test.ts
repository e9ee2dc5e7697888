import { describe, expect, it } from "vitest";
import { checkTemplate, renderChat, renderGenerationPrompt, toMessages, type Message } from "../../datasets/mixture/chat.js";
import { loadPretrained } from "../../datasets/tokenizer/pretrained.js";
import { PretokenCounter, trainBpe } from "../../datasets/tokenizer/train.js";

const counter = new PretokenCounter();
counter.add("You are helpful. What is two plus two? Two plus two is four. Thanks! You are welcome.");
const { tokenizer } = trainBpe(counter.counts, { vocabSize: 330 });
const sp = (text: string) => tokenizer.specialTokens.get(text)!;
const enc = (text: string) => tokenizer.encode(text);
const ones = (n: number) => Array<number>(n).fill(1);
const zeros = (n: number) => Array<number>(n).fill(0);

const conversation: Message[] = [
  { role: "system", content: "You are helpful." },
  { role: "user", content: "What is two plus two?" },
  { role: "assistant", content: "Two plus two is four." },
  { role: "user", content: "Thanks!" },
  { role: "assistant", content: "You are welcome." },
];

describe("chat templates", () => {
  it("chatml: mask is 1 exactly on assistant content and its <|im_end|>", () => {
    const turn = (role: string, content: string, trained: boolean) => {
      const head = [sp("<|im_start|>"), ...enc(`${role}\n`)];
      const body = [...enc(content), sp("<|im_end|>")];
      const tail = enc("\n");
      return { tokens: [...head, ...body, ...tail], mask: [...zeros(head.length), ...(trained ? ones : zeros)(body.length), ...zeros(tail.length)] };
    };
    const parts = conversation.map((m) => turn(m.role, m.content, m.role === "assistant"));
    const expected = { tokens: [...parts.flatMap((p) => p.tokens), tokenizer.eos], mask: [...parts.flatMap((p) => p.mask), 0] };
    const rendered = renderChat(conversation, "chatml", tokenizer);
    expect(rendered).toEqual(expected);
    const trained = rendered.tokens.filter((_, i) => rendered.mask[i] === 1);
    expect(tokenizer.decode(trained)).toBe("Two plus two is four.<|im_end|>You are welcome.<|im_end|>");
    expect(tokenizer.decode(rendered.tokens)).toBe(
      "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nWhat is two plus two?<|im_end|>\n<|im_start|>assistant\nTwo plus two is four.<|im_end|>\n" +
        "<|im_start|>user\nThanks!<|im_end|>\n<|im_start|>assistant\nYou are welcome.<|im_end|>\n<|eos|>",
    );
  });

  it("llama3: bos, headers, mask on assistant content and <|eot_id|>", () => {
    const rendered = renderChat(conversation.slice(1, 3), "llama3", tokenizer);
    const userHead = [sp("<|start_header_id|>"), ...enc("user"), sp("<|end_header_id|>"), ...enc("\n\n")];
    const userBody = [...enc("What is two plus two?"), sp("<|eot_id|>")];
    const botHead = [sp("<|start_header_id|>"), ...enc("assistant"), sp("<|end_header_id|>"), ...enc("\n\n")];
    const botBody = [...enc("Two plus two is four."), sp("<|eot_id|>")];
    expect(rendered.tokens).toEqual([sp("<|bos|>"), ...userHead, ...userBody, ...botHead, ...botBody, tokenizer.eos]);
    expect(rendered.mask).toEqual([0, ...zeros(userHead.length + userBody.length + botHead.length), ...ones(botBody.length), 0]);
  });

  it("plain: USER:/AI: labels, mask on assistant content and the eos that ends it; no extra eos", () => {
    const rendered = renderChat(conversation.slice(1, 3), "plain", tokenizer);
    expect(tokenizer.decode(rendered.tokens)).toBe("USER: What is two plus two?\nAI: Two plus two is four.<|eos|>");
    const prefix = [...enc("USER: "), ...enc("What is two plus two?\n"), ...enc("AI: ")];
    expect(rendered.mask).toEqual([...zeros(prefix.length), ...ones(enc("Two plus two is four.").length + 1)]);
  });

  it("a generation prompt is what training put before an answer, and generation stops where training's answer ended", () => {
    const question = conversation.slice(0, 2);
    const answer = conversation[2]!;
    for (const template of ["chatml", "llama3", "plain"] as const) {
      const trained = renderChat([...question, answer], template, tokenizer);
      const { tokens, stop } = renderGenerationPrompt(question, template, tokenizer);
      // The prompt is the trained document up to the first trained (mask 1) token.
      expect(tokens, template).toEqual(trained.tokens.slice(0, trained.mask.indexOf(1)));
      // The answer's last trained token is the stop token.
      expect(stop, template).toBe(trained.tokens[trained.mask.lastIndexOf(1)]);
    }
    expect(tokenizer.decode(renderGenerationPrompt(question.slice(1), "chatml", tokenizer).tokens)).toBe("<|im_start|>user\nWhat is two plus two?<|im_end|>\n<|im_start|>assistant\n");
  });

  it("chatml works with cl100k_base's own <|im_start|>; gpt2 lacks it and gets a clear error", async () => {
    const cl100k = await loadPretrained("cl100k_base");
    const rendered = renderChat(conversation.slice(1, 3), "chatml", cl100k);
    expect(rendered.tokens[0]).toBe(100264);
    expect(rendered.tokens.at(-1)).toBe(100257);
    const gpt2 = await loadPretrained("gpt2");
    expect(() => checkTemplate("chatml", gpt2, "mix.yaml: sources.sft")).toThrow(
      /mix.yaml: sources.sft: template chatml needs special token\(s\) <\|im_start\|> <\|im_end\|>, which tokenizer r50k_base lacks/,
    );
  });
});

describe("instruction formats", () => {
  it("read alpaca, sharegpt, messages and prompt/response records", () => {
    expect(toMessages({ instruction: "Add", input: "2+2", output: "4" }, "alpaca")).toEqual([
      { role: "user", content: "Add\n\n2+2" }, { role: "assistant", content: "4" },
    ]);
    expect(toMessages({ instruction: "Hi", input: "", output: "Hello" }, "alpaca")).toEqual([
      { role: "user", content: "Hi" }, { role: "assistant", content: "Hello" },
    ]);
    expect(toMessages({ conversations: [{ from: "system", value: "s" }, { from: "human", value: "q" }, { from: "gpt", value: "a" }] }, "sharegpt")).toEqual([
      { role: "system", content: "s" }, { role: "user", content: "q" }, { role: "assistant", content: "a" },
    ]);
    expect(toMessages({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a" }] }, "messages")).toHaveLength(2);
    expect(toMessages({ prompt: "q", response: "a" }, "prompt_response")).toEqual([{ role: "user", content: "q" }, { role: "assistant", content: "a" }]);
  });

  it("give a skip reason for malformed records", () => {
    expect(toMessages({ instruction: "x" }, "alpaca")).toBe("alpaca_needs_instruction_and_output");
    expect(toMessages({ conversations: [{ from: "alien", value: "x" }] }, "sharegpt")).toBe("sharegpt_bad_turn");
    expect(toMessages({ messages: [{ role: "user", content: "only a question" }] }, "messages")).toBe("no_assistant_turn");
    expect(toMessages([1, 2], "prompt_response")).toBe("not_an_object");
  });
});
