import "./jsonl.js";
import "./warc.js";
import "./wet.js";
