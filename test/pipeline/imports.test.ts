/**
 * The import graph of the source tree, read with TypeScript's own parser:
 * - it has no cycle among value imports (and re-exports). `import type` is left out there: it
 *   vanishes from the compiled JavaScript, so it cannot make modules load in a circle;
 * - every import from one folder into another (types too) goes along an arrow of README's layout
 *   table and names the target folder's `index.ts`.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers.js";

const SOURCE_FOLDERS = ["bin", "core", "pipeline", "stages", "classifiers", "datasets", "trainer"];

/** The source files, as git tracks them. */
function sourceFiles(): string[] {
  return execFileSync("git", ["ls-files", ...SOURCE_FOLDERS.map((f) => `${f}/*.ts`)], { cwd: repoRoot, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && !f.endsWith(".d.ts") && !f.endsWith(".as.ts"));
}

/** The files a source file imports or re-exports from (relative specifiers only); `values` leaves out type-only ones. */
function importsOf(file: string, values: boolean): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(repoRoot, file), "utf8"), ts.ScriptTarget.Latest);
  const targets: string[] = [];
  for (const node of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node) && !(values && node.importClause?.isTypeOnly)) {
      const bindings = node.importClause?.namedBindings;
      const onlyTypes = bindings && ts.isNamedImports(bindings) && !node.importClause?.name && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
      if (!(values && onlyTypes)) specifier = node.moduleSpecifier;
    } else if (ts.isExportDeclaration(node) && !(values && node.isTypeOnly)) specifier = node.moduleSpecifier;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith(".")) targets.push(path.normalize(path.join(path.dirname(file), specifier.text.replace(/\.js$/, ".ts"))));
  }
  return targets;
}

/** README's layout table: each folder and the folders it may import ("nothing", or backquoted names). */
function layoutTable(readme: string): Map<string, string[]> {
  const section = readme.slice(readme.indexOf("\n## Layout\n"));
  const table = new Map<string, string[]>();
  for (const row of section.split("\n## ")[1]!.split("\n")) {
    const cells = row.split("|").map((c) => c.trim());
    const folder = /^`([a-z]+)\/`$/.exec(cells[1] ?? "")?.[1];
    if (folder === undefined || cells.length < 5) continue;
    const allowed = cells[3]!;
    table.set(folder, /^every folder/.test(allowed) ? ["*"] : [...allowed.matchAll(/`([a-z]+)\/`/g)].map((m) => m[1]!));
  }
  return table;
}

/** Each import between two folders that the table does not allow, or that skips the target's index.ts. */
function boundaryViolations(imports: Map<string, string[]>, table: Map<string, string[]>): string[] {
  const violations: string[] = [];
  for (const [file, targets] of imports) {
    const from = file.split("/")[0]!;
    for (const target of targets) {
      const to = target.split("/")[0]!;
      if (to === from) continue;
      const allowed = table.get(from);
      if (allowed === undefined) violations.push(`${file}: its folder ${from}/ is not in the layout table`);
      else if (!allowed.includes("*") && !allowed.includes(to)) violations.push(`${file} → ${target}: ${from}/ may not import ${to}/`);
      else if (target !== `${to}/index.ts`) violations.push(`${file} → ${target}: import ${to}/index.ts, the folder's public surface`);
    }
  }
  return violations;
}

/** Every cycle a depth-first walk of the graph meets, each as the files around it. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe("the import graph", () => {
  it("has no cycle among the source files", () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const known = new Set(files);
    const graph = new Map(files.map((f) => [f, importsOf(f, true).filter((t) => known.has(t))]));
    // The parser sees the imports: the run verb imports the status verb.
    expect(graph.get("pipeline/cli/run.ts")).toContain("pipeline/cli/status.ts");
    expect(cyclesOf(graph).map((c) => c.join(" → "))).toEqual([]);
  });

  it("goes between folders only along README's layout table, through each folder's index.ts", () => {
    const table = layoutTable(readFileSync(path.join(repoRoot, "README.md"), "utf8"));
    expect([...table.keys()].sort()).toEqual([...SOURCE_FOLDERS, "bench", "test"].sort());
    expect(table.get("core")).toEqual([]);
    expect(table.get("trainer")).toEqual(["core", "datasets"]);
    const files = sourceFiles();
    const imports = new Map(files.map((f) => [f, importsOf(f, false)]));
    // The parser sees type-only imports too: the trainer's config imports a type from datasets.
    expect(imports.get("trainer/hf/checkpoint.ts")!.some((t) => t.startsWith("core/"))).toBe(true);
    expect(boundaryViolations(imports, table)).toEqual([]);
  });

  it("reports an import against the table or past an index.ts", () => {
    const table = new Map([["core", []], ["trainer", ["core"]], ["bin", ["*"]]]);
    const imports = new Map([
      ["trainer/a.ts", ["trainer/b.ts", "core/index.ts", "core/io/local.ts", "stages/index.ts"]],
      ["bin/x.ts", ["stages/index.ts"]],
      ["other/y.ts", ["core/index.ts"]],
    ]);
    expect(boundaryViolations(imports, table)).toEqual([
      "trainer/a.ts → core/io/local.ts: import core/index.ts, the folder's public surface",
      "trainer/a.ts → stages/index.ts: trainer/ may not import stages/",
      "other/y.ts: its folder other/ is not in the layout table",
    ]);
  });

  it("reports a loop when there is one", () => {
    const graph = new Map([["run", ["status", "flags"]], ["status", ["task"]], ["task", ["run"]], ["flags", []]]);
    expect(cyclesOf(graph)).toEqual([["run", "status", "task", "run"]]);
  });
});
