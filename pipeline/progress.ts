/**
 * Progress of long work: a one-line bar on a terminal, NDJSON lines otherwise (inside Slurm, CI,
 * or when piped), so a log reader can follow a run without parsing carriage returns.
 */
export interface ProgressEvent {
  event: "step_start" | "progress" | "step_done";
  step: string;
  ranksDone: number;
  ranks: number;
  docs: number;
  bytes: number;
  elapsedS: number;
}

export interface Reporter {
  report(event: ProgressEvent): void;
  /** A plain message line (does not break the bar). */
  line(message: string): void;
  close(): void;
}

export function createReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): Reporter {
  if (quiet) return { report() {}, line() {}, close() {} };
  if (!stream.isTTY) {
    return {
      report: (event) => stream.write(JSON.stringify({ ...event, time: new Date().toISOString() }) + "\n"),
      line: (message) => stream.write(JSON.stringify({ event: "message", message }) + "\n"),
      close() {},
    };
  }
  let barShown = false;
  const clear = () => {
    if (barShown) stream.write("\r\x1b[2K");
    barShown = false;
  };
  return {
    report(event) {
      clear();
      const width = 24;
      const filled = event.ranks ? Math.round((event.ranksDone / event.ranks) * width) : 0;
      const rate = event.elapsedS > 0 ? event.bytes / 1e6 / event.elapsedS : 0;
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      stream.write(
        `${event.step} ${bar} ${event.ranksDone}/${event.ranks} tasks · ${event.docs.toLocaleString("en")} docs · ` +
          `${(event.bytes / 1e6).toFixed(1)} MB · ${rate.toFixed(1)} MB/s`,
      );
      barShown = true;
      if (event.event === "step_done") {
        stream.write("\n");
        barShown = false;
      }
    },
    line(message) {
      clear();
      stream.write(message + "\n");
    },
    close: clear,
  };
}
