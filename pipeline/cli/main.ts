import { stripVTControlCharacters } from "node:util";
import { defineCommand, parseArgs, runCommand, showUsage, type ArgsDef, type CommandDef } from "citty";
import { nearestKey, KilnError, systemError } from "../../core/index.js";

/** A citty value that may be given directly, as a promise, or as a function returning either. */
async function resolved<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** The sub-command the arguments name (and its parent, and how many arguments named it): `--help` shows its usage, flags are checked against it. */
async function helpTarget(cmd: CommandDef, rawArgs: string[]): Promise<[CommandDef, CommandDef | undefined, number]> {
  let current: CommandDef = cmd;
  let parent: CommandDef | undefined;
  let depth = 0;
  for (const arg of rawArgs) {
    if (arg.startsWith("-")) break;
    const next = (await resolved(current.subCommands))?.[arg];
    if (!next) break;
    parent = current;
    current = await resolved(next as CommandDef | (() => Promise<CommandDef>));
    depth++;
  }
  return [current, parent, depth];
}

/** What checkFlags reads of a citty argument definition. */
type FlagDef = { type?: string; alias?: string | string[]; options?: string[] };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

/**
 * The first `--flag` the command does not declare, as one error line with the nearest declared
 * one: citty would ignore it, and a misspelled `--wrokers 8` would quietly run with the default.
 * Then a value outside an enum flag's words, in Kiln's one-line form rather than citty's.
 */
async function checkFlags(root: CommandDef, rawArgs: string[]): Promise<void> {
  const [cmd, , depth] = await helpTarget(root, rawArgs);
  const args = (await resolved(cmd.args)) ?? {};
  const known = new Set<string>();
  for (const [name, def] of Object.entries(args) as [string, FlagDef][]) {
    if (def.type === "positional") continue;
    for (const n of [name, ...(def.alias === undefined ? [] : [def.alias].flat())]) {
      known.add(n).add(kebab(n));
      if (def.type === "boolean") known.add(`no-${n}`).add(`no-${kebab(n)}`);
    }
  }
  for (const arg of rawArgs) {
    if (arg === "--") break;
    if (!arg.startsWith("--")) continue;
    const name = arg.slice(2).split("=")[0]!;
    if (known.has(name)) continue;
    const near = nearestKey(name, [...known]);
    const commandName = (await resolved(cmd.meta))?.name;
    const command = commandName ? ` of kiln ${commandName}` : "";
    throw new KilnError("usage", `--${name}: unknown option${command}${near ? ` (did you mean --${near}?)` : ""}`);
  }
  const enums = (Object.entries(args) as [string, FlagDef][]).filter(([, def]) => def.type === "enum" && (def.options?.length ?? 0) > 0);
  if (enums.length === 0) return;
  // citty's own parser, with the enum flags read as plain strings so that we check them.
  const asStrings = Object.fromEntries(Object.entries(args).map(([name, def]) => [name, def.type === "enum" ? { ...def, type: "string" } : def])) as ArgsDef;
  const parsed = parseArgs(rawArgs.slice(depth), asStrings) as Record<string, unknown>;
  for (const [name, def] of enums) {
    const value = parsed[name];
    if (typeof value === "string" && !def.options!.includes(value)) throw new KilnError("usage", `--${name} ${value}: expected one of ${def.options!.join(", ")}`);
  }
}

/**
 * Runs the CLI. Every failure the user can fix prints as one line, `kiln: <code>: <message>`,
 * with a non-zero exit; a stack trace is printed only for internal errors or with KILN_DEBUG=1.
 */
export async function runCli(root: CommandDef, rawArgs = process.argv.slice(2)): Promise<void> {
  try {
    if (rawArgs.length === 0 || rawArgs.includes("--help") || rawArgs.includes("-h")) {
      const [cmd, parent] = await helpTarget(root, rawArgs);
      await showUsage(cmd, parent);
      return;
    }
    await checkFlags(root, rawArgs);
    await runCommand(root, { rawArgs });
  } catch (thrown) {
    const error = systemError(thrown) ?? thrown;
    if (error instanceof KilnError) {
      process.stderr.write(`kiln: ${error.code}: ${error.message}\n`);
      if (process.env.KILN_DEBUG) console.error(error.stack);
      process.exitCode = 1;
    } else if (error instanceof Error && error.name === "CLIError") {
      process.stderr.write(`kiln: usage: ${stripVTControlCharacters(error.message)} (see kiln --help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`kiln: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      if (error instanceof Error) console.error(error.stack);
      process.exitCode = 70;
    }
  }
}

export { defineCommand };
