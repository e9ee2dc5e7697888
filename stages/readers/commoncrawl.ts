/**
 * A Common Crawl crawl by name: `read: { format: commoncrawl, crawl: CC-MAIN-2024-22, files: 10 }`.
 * When the step is planned, the crawl's `warc.paths.gz` (or `wet.paths.gz`) is read once and lines
 * [offset, offset + files) become the step's input URLs; each task then streams its files over
 * https or s3 (with the storage layer's retries and resume) through the WARC or WET reader.
 */
import { text } from "node:stream/consumers";
import { z } from "zod";
import { KilnError, errorMessage, openRead } from "../../core/index.js";
import { register } from "../../pipeline/index.js";
import { openInput } from "./open.js";
import { warcDocs, warcReaderParams } from "./warc.js";
import { wetDocs } from "./wet.js";

/** Common Crawl's main crawls are named by year and ISO week. */
const CRAWL_NAME = /^CC-MAIN-\d{4}-\d{2}$/;

export const commonCrawlParams = z.object({
  crawl: z
    .string()
    .regex(CRAWL_NAME, 'a Common Crawl crawl name looks like "CC-MAIN-2024-22" (CC-MAIN-<year>-<week>)')
    .describe("the crawl to read, e.g. CC-MAIN-2024-22 (see https://commoncrawl.org/get-started)"),
  kind: z
    .enum(["warc", "wet"])
    .default("warc")
    .describe("warc: raw HTML responses (extract them later); wet: text Common Crawl already extracted"),
  files: z.number().int().positive().default(1).describe("how many files of the crawl's file list to read (each ~1 GB WARC or ~150 MB WET)"),
  offset: z.number().int().min(0).default(0).describe("index in the crawl's file list of the first file to read"),
  base: z
    .string()
    .regex(/^(https?|s3):\/\//, "base must be an http(s):// or s3:// URL")
    .default("https://data.commoncrawl.org/")
    .describe("where the crawl is served: https://data.commoncrawl.org/ or s3://commoncrawl/ (anonymous)"),
  ...warcReaderParams.shape,
});
export type CommonCrawlParams = z.output<typeof commonCrawlParams>;

const withSlash = (base: string) => (base.endsWith("/") ? base : base + "/");

/** Where the crawl's list of `kind` files lives. */
export function pathsListUrl(params: Pick<CommonCrawlParams, "base" | "crawl" | "kind">): string {
  return `${withSlash(params.base)}crawl-data/${params.crawl}/${params.kind}.paths.gz`;
}

/** Full URLs of files [offset, offset + files) of the crawl's list. */
export async function commonCrawlInputs(params: CommonCrawlParams): Promise<string[]> {
  const listUrl = pathsListUrl(params);
  let listing: string;
  try {
    listing = await text(await openRead(listUrl));
  } catch (error) {
    throw new KilnError("no_input", `commoncrawl: cannot read the ${params.kind} file list of crawl ${params.crawl}: ${errorMessage(error)}`);
  }
  const paths = listing.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
  const end = params.offset + params.files;
  if (end > paths.length) {
    throw new KilnError(
      "no_input",
      `commoncrawl: crawl ${params.crawl} lists ${paths.length} ${params.kind} files; offset ${params.offset} + files ${params.files} goes past the end`,
    );
  }
  return paths.slice(params.offset, end).map((p) => withSlash(params.base) + p.replace(/^\/+/, ""));
}

register({
  kind: "reader",
  name: "commoncrawl",
  description:
    "a Common Crawl crawl by name (CC-MAIN-YYYY-WW): reads the crawl's warc.paths.gz or wet.paths.gz, takes `files` files " +
    "from `offset`, and streams them over https or s3 through the warc or wet reader",
  params: commonCrawlParams,
  inputs: commonCrawlInputs,
  create(params) {
    return {
      name: "commoncrawl",
      async *read(file, ctx) {
        const bytes = await openInput(file, params.kind === "wet" ? "wet" : "warc", ctx);
        if (params.kind === "wet") yield* wetDocs(bytes, file, ctx);
        else yield* warcDocs(bytes, file, params, ctx);
      },
    };
  },
});
