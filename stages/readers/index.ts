import "./jsonl.js";
import "./warc.js";
import "./wet.js";
import "./commoncrawl.js";
import "./parquet.js";
