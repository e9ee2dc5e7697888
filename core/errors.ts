/**
 * Every code a KilnError carries: a closed list, so a new one is added here on purpose and a
 * script that matches codes can rely on this being all of them. `bad_config` is any invalid
 * configuration file or value, `usage` any bad command line.
 */
export type KilnErrorCode =
  "annotate_failed" | "bad_backend" | "bad_checkpoint" | "bad_config" | "bad_data" |
  "bad_document" | "bad_env" | "bad_glob" | "bad_input" | "bad_manifest" | "bad_model" |
  "bad_path" | "bad_prompt" | "bad_token" | "bad_tokenizer" | "bad_vocab" | "checkpoint_changed" |
  "checksum_mismatch" | "cld2_unavailable" | "config_changed" | "dedup_corrupt" | "dedup_input" | "dedup_mismatch" |
  "dedup_params" | "dedup_version" | "dedup_world" | "dedup_write" | "detector_load_failed" | "f16_overflow" |
  "http_error" | "io_error" | "line_too_long" | "no_backend" | "no_embedder" | "no_input" |
  "no_tokenizer" | "no_training_data" | "not_found" | "out_of_range" | "read_error" | "s3_error" |
  "shard_mismatch" | "slurm_busy" | "slurm_error" | "slurm_unavailable" | "source_exhausted" |
  "task_failed" | "unknown_preset" | "unknown_reader" | "unknown_stage" | "unknown_task" |
  "unknown_tokenizer" | "unknown_writer" | "unsupported" | "unsupported_model" | "url_filter" |
  "usage" | "worker_crashed" | "write_error";

/**
 * The one error class the CLI prints as a single line: `kiln: <code>: <message>`.
 * Codes are stable so scripts and tests can match them.
 */
export class KilnError extends Error {
  constructor(
    readonly code: KilnErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "KilnError";
  }
}

type ZodIssueLike = { path: ReadonlyArray<PropertyKey>; message: string };

/** One zod issue as a user reads it: `steps[1].read.paths: message` (`(top level)` for the whole value). */
export function formatZodIssue(issue: ZodIssueLike): string {
  const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  return `${where.replace(/^\./, "") || "(top level)"}: ${issue.message}`;
}

/** A zod error as one line: every issue, as `formatZodIssue` writes it, joined by "; ". */
export function formatZodError(error: { issues: ReadonlyArray<ZodIssueLike> }): string {
  return error.issues.map(formatZodIssue).join("; ");
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What the operating system's error codes mean, in the words a user needs. */
const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENOENT: "no such file or directory",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "is a directory",
  EEXIST: "already exists",
  ENOTEMPTY: "directory not empty",
  EIO: "input/output error",
  ENAMETOOLONG: "file name too long",
  EXDEV: "cannot rename across file systems",
};

/**
 * A file-system error (EACCES, ENOSPC, ...) as a KilnError naming the path and what failed;
 * `path` names the file when the error itself does not (a failed write carries no path).
 * Undefined for anything else.
 */
export function systemError(error: unknown, path?: string): KilnError | undefined {
  if (error instanceof KilnError || !(error instanceof Error)) return undefined;
  const { code, syscall, path: errorPath } = error as NodeJS.ErrnoException;
  const meaning = code === undefined ? undefined : SYSTEM_ERRORS[code];
  if (meaning === undefined) return undefined;
  const where = errorPath ?? path;
  return new KilnError("io_error", `${where ? `${where}: ` : ""}${meaning}${syscall ? ` (${syscall})` : ""}`);
}
