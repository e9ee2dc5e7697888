import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * One temporary folder per test run: every test's temporary files, and those of the runs it
 * starts, go under it through TMPDIR, and it is removed when the run ends, so a run leaves
 * nothing behind in the system's temporary folder.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kiln-tests-"));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
