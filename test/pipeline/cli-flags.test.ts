import { describe, expect, it, vi } from "vitest";
import { renderUsage } from "citty";
import { enumFlag } from "../../core/index.js";
import { defineCommand, runCli } from "../../pipeline/cli/main.js";

/** Runs a tiny CLI in this process and returns what it printed to stderr and the exit code. */
async function run(rawArgs: string[]): Promise<{ stderr: string; exitCode: number | undefined; ran: unknown }> {
  let ran: unknown;
  const root = defineCommand({
    meta: { name: "kiln" },
    subCommands: {
      run: defineCommand({
        meta: { name: "run" },
        args: {
          config: { type: "positional", required: true },
          workers: { type: "string" },
          dryRun: { type: "boolean" },
          quiet: { type: "boolean", alias: "q" },
          head: enumFlag("the head", ["linear", "mlp"], "linear"),
          split: enumFlag("a split", ["val", "train"]),
        },
        run: ({ args }) => {
          ran = args;
        },
      }),
    },
  });
  const writes: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (writes.push(String(chunk)), true));
  const before = process.exitCode;
  try {
    await runCli(root, rawArgs);
    return { stderr: writes.join(""), exitCode: process.exitCode as number | undefined, ran };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

describe("CLI flags", () => {
  it("refuses an option the command does not declare, suggesting the nearest", async () => {
    const typo = await run(["run", "p.yaml", "--wrokers", "8"]);
    expect(typo.stderr).toBe("kiln: usage: --wrokers: unknown option of kiln run (did you mean --workers?)\n");
    expect(typo.exitCode).toBe(1);
    expect(typo.ran).toBeUndefined();
    expect((await run(["run", "p.yaml", "--colour=red"])).stderr).toBe("kiln: usage: --colour: unknown option of kiln run\n");
  });

  it("accepts declared options in every spelling citty takes: kebab case, --no-, aliases, =value, after --", async () => {
    for (const args of [["--workers", "2"], ["--workers=2"], ["--dry-run"], ["--dryRun"], ["--no-dry-run"], ["--quiet"], ["--q"], ["--", "--anything"]]) {
      const result = await run(["run", "p.yaml", ...args]);
      expect(result.stderr, args.join(" ")).toBe("");
      expect(result.ran, args.join(" ")).toBeDefined();
    }
  });

  it("checks an enum flag's value before the command runs, in one line; the command gets it typed", async () => {
    const bad = await run(["run", "p.yaml", "--head", "cnn"]);
    expect(bad.stderr).toBe("kiln: usage: --head cnn: expected one of linear, mlp\n");
    expect(bad.exitCode).toBe(1);
    expect(bad.ran).toBeUndefined();
    expect((await run(["run", "p.yaml", "--split=test"])).stderr).toBe("kiln: usage: --split test: expected one of val, train\n");
    const mlp = (await run(["run", "p.yaml", "--head", "mlp"])).ran as { head: string; split?: string };
    expect([mlp.head, mlp.split]).toEqual(["mlp", undefined]);
    expect((await run(["run", "p.yaml", "--split", "train"])).ran).toMatchObject({ head: "linear", split: "train" });
  });

  it("lists an enum flag's values in the help", async () => {
    const usage = await renderUsage(defineCommand({ meta: { name: "x" }, args: { head: enumFlag("the head", ["linear", "mlp"], "linear") } }));
    expect(usage).toContain("--head=<linear|mlp>");
  });
});
