/**
 * The source tree has no import cycle: the graph of value imports (and re-exports) between the
 * source files, read with TypeScript's own parser, has no loop. `import type` is left out: it
 * vanishes from the compiled JavaScript, so it cannot make modules load in a circle.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers.js";

const SOURCE_FOLDERS = ["bin", "pipeline", "stages", "classifiers", "datasets", "trainer"];

function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(repoRoot, file), "utf8"), ts.ScriptTarget.Latest);
  const targets: string[] = [];
  for (const node of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      const bindings = node.importClause?.namedBindings;
      const onlyTypes = bindings && ts.isNamedImports(bindings) && !node.importClause?.name && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) specifier = node.moduleSpecifier;
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly) specifier = node.moduleSpecifier;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith(".")) targets.push(path.normalize(path.join(path.dirname(file), specifier.text.replace(/\.js$/, ".ts"))));
  }
  return targets;
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
    const files = execFileSync("git", ["ls-files", ...SOURCE_FOLDERS.map((f) => `${f}/*.ts`)], { cwd: repoRoot, encoding: "utf8" })
      .split("\n")
      .filter((f) => f && !f.endsWith(".d.ts") && !f.endsWith(".as.ts"));
    expect(files.length).toBeGreaterThan(100);
    const known = new Set(files);
    const graph = new Map(files.map((f) => [f, valueImports(f).filter((t) => known.has(t))]));
    // The parser sees the imports: the run verb imports the status verb.
    expect(graph.get("pipeline/cli/run.ts")).toContain("pipeline/cli/status.ts");
    expect(cyclesOf(graph).map((c) => c.join(" → "))).toEqual([]);
  });

  it("reports a loop when there is one", () => {
    const graph = new Map([["run", ["status", "flags"]], ["status", ["task"]], ["task", ["run"]], ["flags", []]]);
    expect(cyclesOf(graph)).toEqual([["run", "status", "task", "run"]]);
  });
});
