/** Importing this module registers the heuristic filters: Gopher, C4 (and its bad-words rule), FineWeb, URL blocklist, PII, and decontamination against evaluation tasks. */
export { gopherRepetition, gopherRepetitionFilter, gopherRepetitionSignals, gopherRepetitionDecide } from "./gopher-repetition.js";
export { gopherQuality, gopherQualityFilter, gopherQualitySignals, gopherQualityDecide } from "./gopher-quality.js";
export { c4Quality, c4Filter, c4Apply } from "./c4.js";
export { c4BadWords, badWords, badWordsPattern, BADWORDS_LANGUAGES } from "./badwords.js";
export { finewebQuality, finewebQualityFilter, finewebQualitySignals, finewebQualityDecide } from "./fineweb-quality.js";
export { urlFilterStage, urlFilter, UrlBlocklist } from "./url.js";
export { pii, piiFilter, scrubPii } from "./pii.js";
export { decontaminate, buildContaminationIndex, contaminationHits } from "./decontaminate.js";
export { PRESETS, LATEST, expandPreset, getPreset, presetNames, type Preset, type PresetStep } from "./presets.js";
export { splitWords } from "./text.js";
