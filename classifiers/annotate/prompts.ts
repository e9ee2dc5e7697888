/**
 * Annotation prompts. A prompt is a plain-text template: `{{document}}` is replaced by the
 * (truncated) document and `{{domain}}` by `--domain`. Every built-in prompt ends by asking for a
 * last line `Score: <n>`, which `parseScore` reads strictly.
 */
import { readFile } from "node:fs/promises";
import { KilnError } from "../../core/index.js";

/**
 * The FineWeb-Edu additive 0–5 educational-value rubric (Penedo et al., 2024), restated in our
 * own words from its published criteria: one point per level reached, judged for use in
 * primary to secondary school teaching.
 */
/** How every built-in prompt asks for its answer: the parser reads the score from the last line. */
const SCORE_LINE_INSTRUCTIONS = `First explain your total in at most 100 words. Then write the result alone on the last line, in exactly this form:
Score: <total points>`;

export const FINEWEB_EDU_PROMPT = `You will judge how useful the web page extract below would be for teaching, from primary school up to secondary school, using an additive scale of 0 to 5 points. Start at 0 and add points as follows:

- Add 1 point if the extract gives at least some basic information on a topic that could be taught, even when it is mixed with unrelated or non-academic material such as advertising or promotion.
- Add a 2nd point if it covers some parts of a teachable subject but does not follow educational standards closely: it may blend teaching material with other content, or give only a shallow overview of possibly useful topics.
- Add a 3rd point if it is suitable for teaching and introduces ideas that belong in a school curriculum. The text is coherent, although it may be incomplete or include some extra material; it resembles an introductory part of a textbook or a simple tutorial.
- Add a 4th point if it is clearly valuable for teaching at school level: the writing is clear and consistent, and it reads like a textbook chapter or a tutorial, with substantial teaching content such as exercises or worked answers, little irrelevant material, and ideas that students can follow.
- Add a 5th point if it is excellent for teaching at primary or secondary school: it explains its reasoning in detail, is easy to follow, gives deep and thorough insight into the subject, and contains nothing unrelated or needlessly complex.

The extract:
<extract>
{{document}}
</extract>

${SCORE_LINE_INSTRUCTIONS}`;

/** A template for a custom domain: copy it (`--print-prompt custom-domain`), edit the criteria. */
export const CUSTOM_DOMAIN_PROMPT = `You will judge how useful the document below would be as training material for a language model that must know the domain of {{domain}} well, using an additive scale of 0 to 5 points. Start at 0 and add points as follows:

- Add 1 point if the document is about {{domain}} at all, even in passing or mixed with unrelated material.
- Add a 2nd point if it states facts, terms or procedures of {{domain}} correctly, even if superficially or with clutter such as navigation text or advertising.
- Add a 3rd point if a reader would learn something specific about {{domain}} from it: it is coherent and explains at least one idea or method, though it may be incomplete.
- Add a 4th point if it is a clear, well-organised explanation of a topic in {{domain}}, such as a good reference article, manual section or tutorial, with little irrelevant content.
- Add a 5th point if it is an outstanding resource for {{domain}}: accurate, detailed, reasoned step by step, and free of irrelevant or misleading content.

The document:
<document>
{{document}}
</document>

${SCORE_LINE_INSTRUCTIONS}`;

export const BUILTIN_PROMPTS: Record<string, string> = {
  "fineweb-edu": FINEWEB_EDU_PROMPT,
  "custom-domain": CUSTOM_DOMAIN_PROMPT,
};

export interface PromptTemplate {
  /** Built-in name or the file it came from. */
  name: string;
  template: string;
}

/** A built-in prompt by name, or a template file that contains `{{document}}`. */
export async function loadPrompt(nameOrFile: string): Promise<PromptTemplate> {
  const builtin = BUILTIN_PROMPTS[nameOrFile];
  if (builtin) return { name: nameOrFile, template: builtin };
  let template: string;
  try {
    template = await readFile(nameOrFile, "utf8");
  } catch {
    throw new KilnError("bad_prompt", `--prompt ${nameOrFile}: neither a built-in prompt (${Object.keys(BUILTIN_PROMPTS).join(", ")}) nor a readable file`);
  }
  if (!template.includes("{{document}}")) throw new KilnError("bad_prompt", `${nameOrFile}: the template has no {{document}} placeholder`);
  return { name: nameOrFile, template };
}

/** The prompt sent for one document. Replacements are literal (a `$` in a document is kept). */
export function renderPrompt(template: string, document: string, vars: Record<string, string> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    if (name === "document") return document;
    const value = vars[name];
    if (value === undefined) throw new KilnError("bad_prompt", `the prompt uses {{${name}}} but no value was given (--${name})`);
    return value;
  });
}

/** The first `maxChars` characters, cut at a whitespace boundary when one is near. */
export function truncateDocument(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.lastIndexOf(" ", maxChars);
  return text.slice(0, cut > maxChars * 0.8 ? cut : maxChars);
}
