export { inspectCommand, reportCommand, reportHtml, type TokenCounter } from "./cli.js";
export { KNOBS, knobsByStage, type Knob } from "./knobs.js";
export { buildIndex, RunIndex, type IndexSummary } from "./run-index.js";
export { startInspectServer, type InspectServer } from "./server.js";
export { whatIf, type WhatIfRequest, type WhatIfResult } from "./what-if.js";
