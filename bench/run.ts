/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.ts. Each benchmark prints a table with the
 * baseline it measured in the same run and the ratio.
 */
import { readdirSync } from "node:fs";
import path from "node:path";

const [name, ...rest] = process.argv.slice(2);
const here = path.dirname(new URL(import.meta.url).pathname);
const available = readdirSync(here).filter((f) => f.endsWith(".ts") && !["run.ts"].includes(f) && !f.startsWith("_")).map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join("|")}> [args]\n`);
  process.exit(2);
}
process.argv = [process.argv[0]!, path.join(here, `${name}.ts`), ...rest];
await import(`./${name}.ts`);
