import path from "node:path";
import { describe, expect, it } from "vitest";
import { listSafe, readStepData, startKilnRun, tempDir, testStages, waitForExit, writeConfig, writeInputs } from "./helpers.js";

describe("resume after a kill", () => {
  it("a run killed mid-way resumes and produces the same output as an uninterrupted run", async () => {
    const dir = await tempDir();
    await writeInputs(dir, 8, 30);
    const configFor = (output: string) =>
      writeConfig(dir, {
        output,
        modules: [testStages],
        steps: [
          { name: "slowly", read: { paths: path.join(dir, "*.jsonl.gz") }, stages: [{ slow: { ms: 10 } }] },
          { name: "after", read: { from: "slowly" }, stages: ["sampler"] },
        ],
      }, `${path.basename(output)}.yaml`);

    const whole = path.join(dir, "whole");
    const reference = await waitForExit(startKilnRun(await configFor(whole)));
    expect(reference.code, reference.stderr).toBe(0);

    const killed = path.join(dir, "killed");
    const config = await configFor(killed);
    const child = startKilnRun(config);
    const exit = waitForExit(child);
    const completions = path.join(killed, "slowly", "completions");
    for (;;) {
      const done = (await listSafe(completions)).length;
      if (done >= 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    const { signal } = await exit;
    expect(signal).toBe("SIGKILL");
    const doneBefore = (await listSafe(completions)).length;
    expect(doneBefore).toBeGreaterThanOrEqual(1);
    expect(doneBefore).toBeLessThan(8);

    const resumed = await waitForExit(startKilnRun(config));
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const step of ["slowly", "after"]) {
      const a = await readStepData(whole, step);
      const b = await readStepData(killed, step);
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [name, text] of a) expect(b.get(name), `${step}/${name}`).toBe(text);
    }
    // nothing half-written is left behind
    for (const sub of ["data", "stats", "completions"]) {
      expect((await listSafe(path.join(killed, "slowly", sub))).filter((f) => f.includes(".tmp-"))).toEqual([]);
    }
  });
});
