import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KilnError, systemError } from "../../core/errors.js";
import { startKilnRun, waitForExit, writeConfig, writeInputs } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-io-errors-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const errno = (code: string, syscall: string, where?: string) => Object.assign(new Error(`${code}: raw, ${syscall}`), { code, syscall, ...(where ? { path: where } : {}) });

describe("file-system errors", () => {
  it("become one line naming the file and what failed", () => {
    expect(systemError(errno("EACCES", "open", "/data/out/x.jsonl"))).toEqual(new KilnError("io_error", "/data/out/x.jsonl: permission denied (open)"));
    // A failed write carries no path: the caller names the file.
    expect(systemError(errno("ENOSPC", "write"), "/data/out/x.jsonl")?.message).toBe("/data/out/x.jsonl: no space left on device (write)");
    expect(systemError(errno("EROFS", "mkdir", "/mnt/ro/run"))?.message).toBe("/mnt/ro/run: read-only file system (mkdir)");
    expect(systemError(new Error("not a system error"))).toBeUndefined();
    expect(systemError(new KilnError("bad_config", "x"))).toBeUndefined();
  });

  it("end `kiln run` with one kiln: line and exit 1, not a stack trace", async () => {
    const inputs = await writeInputs(dir, 1, 3);
    const blocker = path.join(dir, "not-a-folder");
    await writeFile(blocker, "a file where the run folder's parent should be");
    const config = await writeConfig(dir, { output: path.join(blocker, "run"), steps: [{ name: "read", read: { format: "jsonl", paths: inputs } }] });
    const { code, stderr } = await waitForExit(startKilnRun(config));
    expect(stderr).toBe(`kiln: io_error: ${path.join(blocker, "run")}: a parent is not a directory (mkdir)\n`);
    expect(code).toBe(1);
  });
});
