import { defineCommand } from "citty";
import { z } from "zod";
import { stringify as toYaml } from "yaml";
import { getStepPreset, listStepPresets } from "../presets.js";
import { listSpecs, type AnySpec } from "../registry.js";

interface ParamRow {
  name: string;
  type: string;
  default: string;
  description: string;
}

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchemaProperty;
  anyOf?: JsonSchemaProperty[];
}

function typeName(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map(String).join("|");
  if (p.anyOf) return p.anyOf.map(typeName).join("|");
  if (Array.isArray(p.type)) return p.type.join("|");
  if (p.type === "array") return `${p.items ? typeName(p.items) : "any"}[]`;
  return p.type ?? "any";
}

/** Reads parameter names, types, defaults and descriptions off a zod object schema. */
export function describeParams(spec: AnySpec): ParamRow[] {
  const json = z.toJSONSchema(spec.params, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonSchemaProperty>;
  };
  return Object.entries(json.properties ?? {}).map(([name, p]) => ({
    name,
    type: typeName(p),
    default: p.default === undefined ? "-" : JSON.stringify(p.default),
    description: p.description ?? "",
  }));
}

export function formatStages(specs: AnySpec[]): string {
  const out: string[] = [];
  for (const spec of specs) {
    out.push(`${spec.kind} ${spec.name}: ${spec.description}`);
    const rows = describeParams(spec);
    const w = [0, 1, 2].map((c) => Math.max(0, ...rows.map((r) => [r.name, r.type, r.default][c]!.length)));
    for (const r of rows) out.push(`    ${r.name.padEnd(w[0]!)}  ${r.type.padEnd(w[1]!)}  ${r.default.padEnd(w[2]!)}  ${r.description}`.trimEnd());
  }
  return out.join("\n") + "\n";
}

export const stagesCommand = defineCommand({
  meta: { name: "stages", description: "list every reader, stage and writer with its parameters and defaults" },
  args: {
    json: { type: "boolean", description: "print JSON" },
    preset: { type: "string", description: "print the steps a preset expands to (e.g. fineweb, fineweb@1)" },
  },
  run({ args }) {
    if (args.preset) {
      const preset = getStepPreset(args.preset);
      const step = { name: "web", read: { format: "warc", paths: "crawl/*.warc.gz" } };
      process.stdout.write(`# ${preset.id}: ${preset.description}\n# a step { name: web, preset: ${args.preset} } expands to:\n`);
      process.stdout.write(toYaml({ steps: preset.expand(step, {}) }));
      return;
    }
    const specs = listSpecs();
    if (args.json) {
      const rows = specs.map((s) => ({ kind: s.kind, name: s.name, description: s.description, params: describeParams(s) }));
      process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    } else {
      process.stdout.write(formatStages(specs));
      const presets = listStepPresets();
      if (presets.length > 0) process.stdout.write(`\npresets (kiln stages --preset NAME prints the steps):\n${presets.map((p) => `    ${[p.id, ...p.aliases].join(", ")}: ${p.description}`).join("\n")}\n`);
    }
  },
});
