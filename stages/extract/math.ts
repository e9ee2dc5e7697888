/**
 * Formulas as TeX. A page's MathML (`<math>`: Wikipedia's formulas, KaTeX's and MathJax's
 * accessible copies, arXiv's HTML, hand-written MathML) becomes one string, `$…$` inline and
 * `$$…$$` for a display formula, the notation math-aware corpora train on; so does a picture of a
 * formula with its TeX as alt text (WordPress's and MediaWiki's, see formulaImage). The TeX is, in order of
 * preference: a `<semantics>` annotation in TeX (KaTeX, LaTeXML), the `alttext` attribute
 * (Wikipedia), or the presentation markup converted (fractions, roots, scripts, accents, matrices;
 * common operators and Greek letters as TeX commands, other characters as they are).
 */
import { collapseSpaces, plainText, type El } from "./el.js";

/** Whether a `<math>` element is a display formula (`display="block"`). */
export const isDisplayMath = (el: El) => el.tag === "math" && el.attrs.display === "block";

/** Nesting past which a formula's markup is read as plain text (recursion stays bounded whatever the page's depth limit). */
const MAX_NESTING = 64;

const TEX_ENCODING = /^(?:application\/x-tex|text\/x-tex|tex|latex)$/i;

/** Characters written as TeX commands; others stay as they are. */
const SYMBOLS: Record<string, string> = {
  α: "\\alpha", β: "\\beta", γ: "\\gamma", δ: "\\delta", ε: "\\epsilon", ϵ: "\\epsilon", ζ: "\\zeta", η: "\\eta", θ: "\\theta", ϑ: "\\vartheta",
  ι: "\\iota", κ: "\\kappa", λ: "\\lambda", μ: "\\mu", ν: "\\nu", ξ: "\\xi", π: "\\pi", ρ: "\\rho", σ: "\\sigma", ς: "\\varsigma", τ: "\\tau",
  υ: "\\upsilon", φ: "\\phi", ϕ: "\\phi", χ: "\\chi", ψ: "\\psi", ω: "\\omega", Γ: "\\Gamma", Δ: "\\Delta", Θ: "\\Theta", Λ: "\\Lambda",
  Ξ: "\\Xi", Π: "\\Pi", Σ: "\\Sigma", Φ: "\\Phi", Ψ: "\\Psi", Ω: "\\Omega",
  "−": "-", "×": "\\times", "÷": "\\div", "±": "\\pm", "∓": "\\mp", "⋅": "\\cdot", "·": "\\cdot", "∗": "*", "∘": "\\circ",
  "≠": "\\neq", "≤": "\\leq", "≥": "\\geq", "≈": "\\approx", "≡": "\\equiv", "∼": "\\sim", "≃": "\\simeq", "≅": "\\cong", "∝": "\\propto",
  "≪": "\\ll", "≫": "\\gg", "∈": "\\in", "∉": "\\notin", "∋": "\\ni", "⊂": "\\subset", "⊃": "\\supset", "⊆": "\\subseteq", "⊇": "\\supseteq",
  "∪": "\\cup", "∩": "\\cap", "∅": "\\emptyset", "∀": "\\forall", "∃": "\\exists", "¬": "\\neg", "∧": "\\wedge", "∨": "\\vee",
  "→": "\\to", "←": "\\leftarrow", "↔": "\\leftrightarrow", "⇒": "\\Rightarrow", "⇐": "\\Leftarrow", "⇔": "\\Leftrightarrow", "↦": "\\mapsto",
  "∞": "\\infty", "∂": "\\partial", "∇": "\\nabla", "∑": "\\sum", "∏": "\\prod", "∫": "\\int", "∬": "\\iint", "∮": "\\oint",
  "√": "\\surd", "ℝ": "\\mathbb{R}", "ℕ": "\\mathbb{N}", "ℤ": "\\mathbb{Z}", "ℚ": "\\mathbb{Q}", "ℂ": "\\mathbb{C}", "ℓ": "\\ell", "ℏ": "\\hbar",
  "…": "\\ldots", "⋯": "\\cdots", "⋮": "\\vdots", "⋱": "\\ddots", "′": "'", "″": "''", "⟨": "\\langle", "⟩": "\\rangle", "‖": "\\|",
  "⌊": "\\lfloor", "⌋": "\\rfloor", "⌈": "\\lceil", "⌉": "\\rceil", "⊕": "\\oplus", "⊗": "\\otimes", "⊥": "\\perp", "∥": "\\parallel",
  "{": "\\{", "}": "\\}", "%": "\\%", "#": "\\#", "&": "\\&",
  // Invisible operators (function application, invisible times and separator, invisible plus).
  "\u2061": "", "\u2062": "", "\u2063": "", "\u2064": "",
};
/** Multi-letter identifiers that TeX writes as operator names. */
const FUNCTIONS = new Set(["sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "log", "ln", "lg", "exp", "lim", "max", "min", "sup", "inf", "det", "dim", "ker", "gcd", "deg", "arg", "Pr"]);
/** Accents over a base (`<mover>`), by the character over it. */
const ACCENTS: Record<string, string> = {
  "¯": "\\overline", "‾": "\\overline", "_": "\\overline", "^": "\\hat", ˆ: "\\hat", "~": "\\tilde", "˜": "\\tilde", "→": "\\vec", "⃗": "\\vec",
  "˙": "\\dot", "¨": "\\ddot", "⏞": "\\overbrace", "︷": "\\overbrace",
};
const UNDER_ACCENTS: Record<string, string> = { "¯": "\\underline", "_": "\\underline", "‾": "\\underline", "⏟": "\\underbrace", "︸": "\\underbrace" };

const elementChildren = (el: El) => el.children.filter((c): c is El => typeof c !== "string");

function symbols(text: string): string {
  let out = "";
  for (const ch of text) out = joinTex(out, SYMBOLS[ch] ?? ch);
  return out;
}

/** Joins two pieces of TeX, with a space where a command name would otherwise run into a letter ("\alpha x"). */
function joinTex(left: string, right: string): string {
  if (right === "") return left;
  return /\\[A-Za-z]+$/.test(left) && /^[A-Za-z]/.test(right) ? `${left} ${right}` : left + right;
}

/** A piece that stays one unit under a script or an accent: braced unless it is one character or one command ("\\alpha", "\\mathbb{R}"). */
function group(tex: string): string {
  return /^(?:.|\\[A-Za-z]+(?:\{[^{}]*\})?)$/u.test(tex) ? tex : `{${tex}}`;
}

function children(el: El, depth: number): string {
  let out = "";
  for (const child of el.children) if (typeof child !== "string") out = joinTex(out, convert(child, depth + 1));
  return out;
}

/** The TeX of a MathML presentation element. */
function convert(el: El, depth: number): string {
  if (depth > MAX_NESTING) return plainText(el);
  const kids = elementChildren(el);
  const parts = () => kids.map((c) => convert(c, depth + 1));
  switch (el.tag) {
    case "mi": {
      const text = plainText(el);
      if (FUNCTIONS.has(text)) return `\\${text}`;
      return [...text].length > 1 && /^\p{L}+$/u.test(text) ? `\\mathrm{${text}}` : symbols(text);
    }
    case "mn":
      return plainText(el);
    case "mo":
      return symbols(plainText(el));
    case "mtext": {
      const text = plainText(el);
      return text ? `\\text{${text}}` : "";
    }
    case "ms":
      return `\\text{"${plainText(el)}"}`;
    case "mspace":
      return " ";
    case "mphantom":
    case "annotation":
    case "annotation-xml":
    case "merror":
      return "";
    case "semantics": {
      const annotation = annotationTex(el);
      if (annotation !== undefined) return annotation;
      return kids[0] ? convert(kids[0], depth + 1) : "";
    }
    case "mfrac": {
      const [a = "", b = ""] = parts();
      return `\\frac{${a}}{${b}}`;
    }
    case "msqrt":
      return `\\sqrt{${children(el, depth)}}`;
    case "mroot": {
      const [a = "", b = ""] = parts();
      return `\\sqrt[${b}]{${a}}`;
    }
    case "msup": {
      const [a = "", b = ""] = parts();
      return `${group(a)}^${group(b)}`;
    }
    case "msub": {
      const [a = "", b = ""] = parts();
      return `${group(a)}_${group(b)}`;
    }
    case "msubsup":
    case "munderover": {
      const [a = "", b = "", c = ""] = parts();
      return `${group(a)}_${group(b)}^${group(c)}`;
    }
    case "munder": {
      const [base, under] = kids;
      const [a = "", b = ""] = parts();
      const accent = under && under.tag === "mo" ? UNDER_ACCENTS[plainText(under)] : undefined;
      if (accent) return `${accent}{${a}}`;
      return base?.tag === "mo" || FUNCTIONS.has(a.replace(/^\\/, "")) ? `${group(a)}_${group(b)}` : `\\underset{${b}}{${a}}`;
    }
    case "mover": {
      const [base, over] = kids;
      const [a = "", b = ""] = parts();
      const accent = over && over.tag === "mo" ? ACCENTS[plainText(over)] : undefined;
      if (accent) return `${accent}{${a}}`;
      return base?.tag === "mo" ? `${group(a)}^${group(b)}` : `\\overset{${b}}{${a}}`;
    }
    case "mfenced":
      return `(${parts().join(",")})`;
    case "mtable": {
      const rows = kids.map((row) => elementChildren(row).map((cell) => convert(cell, depth + 2)).join(" & "));
      return `\\begin{matrix}${rows.join(" \\\\ ")}\\end{matrix}`;
    }
    default:
      return children(el, depth);
  }
}

/** The TeX a `<semantics>` element carries as an annotation, if any. */
function annotationTex(semantics: El): string | undefined {
  for (const child of elementChildren(semantics)) {
    if (child.tag === "annotation" && TEX_ENCODING.test(child.attrs.encoding ?? "")) {
      const tex = plainText(child);
      if (tex) return tex;
    }
  }
  return undefined;
}

/** Wikipedia's and LaTeXML's TeX wraps the formula in a style: `{\displaystyle …}`. */
function unwrapStyle(tex: string): string {
  const match = /^\{\\(?:displaystyle|textstyle)\s*([\s\S]*)\}$/.exec(tex.trim());
  return (match ? match[1]! : tex).trim();
}

/** TeX delimited as a formula (`$…$`, `$$…$$` for a display formula); "" for none. */
export function delimitTex(tex: string, display: boolean): string {
  const formula = collapseSpaces(unwrapStyle(tex)).trim();
  if (!formula) return "";
  return display ? `$$${formula}$$` : `$${formula}$`;
}

/** A `<math>` element's formula as TeX, delimited (see delimitTex); "" when it holds none. */
export function mathToTex(math: El): string {
  const first = elementChildren(math)[0];
  const annotated = first?.tag === "semantics" && elementChildren(math).length === 1 ? annotationTex(first) : undefined;
  const alt = math.attrs.alttext?.trim();
  return delimitTex(annotated ?? (alt || children(math, 0)), isDisplayMath(math));
}

/**
 * A picture of a formula whose alt text is its TeX: WordPress's LaTeX images (`class="latex"`),
 * MediaWiki's rendered formulas (`class="tex"`, "mwe-math-fallback-image-inline"; Wikipedia's
 * own, beside their MathML, are aria-hidden and stay out).
 */
const FORMULA_IMAGE = /(?:^|\s)(?:latex|tex|mwe-math-fallback-image-(inline|display))(?:\s|$)/;

/** The formula an `<img>` pictures, delimited, when its class says it is one (FORMULA_IMAGE); undefined otherwise. */
export function formulaImage(attrs: Record<string, string>): { tex: string; display: boolean } | undefined {
  const match = attrs.alt && attrs.class && attrs["aria-hidden"] !== "true" ? FORMULA_IMAGE.exec(attrs.class) : null;
  if (!match) return undefined;
  const display = match[1] === "display";
  const tex = delimitTex(attrs.alt!, display);
  return tex ? { tex, display } : undefined;
}
