/**
 * One language code space for every detector: ISO 639-1 where the language has one, else ISO
 * 639-3. Detectors speak different dialects of ISO 639 (franc: 639-3 individual languages such as
 * `cmn`, `arb`, `nob`; fastText: Wikipedia codes such as `als`, `sh`; CLD2: old 639-1 codes `iw`,
 * `jw` and script tags `zh-Hant`, `xx-Goth`), so every answer goes through `canonicalLanguage`.
 */

/** The language could not be determined (empty text, digits only, no detector answer). */
export const UNDETERMINED = "und";

/** ISO 639-3 (or 639-2/T) code of every ISO 639-1 language, as `"xx:xxx"` pairs. */
const ISO_639_1_TO_3 =
  "aa:aar ab:abk ae:ave af:afr ak:aka am:amh an:arg ar:ara as:asm av:ava ay:aym az:aze ba:bak " +
  "be:bel bg:bul bi:bis bm:bam bn:ben bo:bod br:bre bs:bos ca:cat ce:che ch:cha co:cos cr:cre " +
  "cs:ces cu:chu cv:chv cy:cym da:dan de:deu dv:div dz:dzo ee:ewe el:ell en:eng eo:epo es:spa " +
  "et:est eu:eus fa:fas ff:ful fi:fin fj:fij fo:fao fr:fra fy:fry ga:gle gd:gla gl:glg gn:grn " +
  "gu:guj gv:glv ha:hau he:heb hi:hin ho:hmo hr:hrv ht:hat hu:hun hy:hye hz:her ia:ina id:ind " +
  "ie:ile ig:ibo ii:iii ik:ipk io:ido is:isl it:ita iu:iku ja:jpn jv:jav ka:kat kg:kon ki:kik " +
  "kj:kua kk:kaz kl:kal km:khm kn:kan ko:kor kr:kau ks:kas ku:kur kv:kom kw:cor ky:kir la:lat " +
  "lb:ltz lg:lug li:lim ln:lin lo:lao lt:lit lu:lub lv:lav mg:mlg mh:mah mi:mri mk:mkd ml:mal " +
  "mn:mon mr:mar ms:msa mt:mlt my:mya na:nau nd:nde ne:nep ng:ndo nl:nld nn:nno no:nor nr:nbl " +
  "nv:nav ny:nya oc:oci oj:oji om:orm or:ori os:oss pa:pan pi:pli pl:pol ps:pus pt:por qu:que " +
  "rm:roh rn:run ro:ron ru:rus rw:kin sa:san sc:srd sd:snd se:sme sg:sag si:sin sk:slk sl:slv " +
  "sm:smo sn:sna so:som sq:sqi sr:srp ss:ssw st:sot su:sun sv:swe sw:swa ta:tam te:tel tg:tgk " +
  "th:tha ti:tir tk:tuk tl:tgl tn:tsn to:ton tr:tur ts:tso tt:tat tw:twi ty:tah ug:uig uk:ukr " +
  "ur:urd uz:uzb ve:ven vi:vie vo:vol wa:wln wo:wol xh:xho yi:yid yo:yor za:zha zh:zho zu:zul";

/**
 * Codes that name the same language as a canonical code: ISO 639-2/B and withdrawn 639-1 codes,
 * and the individual language that is the standard written form of a macrolanguage (a page
 * written in `cmn` is what everyone filtering for `zh` wants). Norwegian Bokmål is `no`, not `nb`:
 * fastText, CLD2 and ELD all answer `no` for it, so that is the code users filter on. Languages
 * with their own written standard stay apart (`yue`, `wuu`, `nn`, `ckb`, `pnb`).
 */
const ALIASES: Record<string, string> = {
  // 639-2/B codes and withdrawn 639-1 codes (CLD2 still answers iw, jw).
  iw: "he", in: "id", ji: "yi", jw: "jv", mo: "ro", nb: "no", nob: "no",
  alb: "sq", arm: "hy", baq: "eu", bur: "my", chi: "zh", cze: "cs", dut: "nl", fre: "fr",
  geo: "ka", ger: "de", gre: "el", ice: "is", mac: "mk", mao: "mi", may: "ms", per: "fa",
  rum: "ro", slo: "sk", tib: "bo", wel: "cy",
  // Individual languages that are the written standard of a macrolanguage.
  cmn: "zh", arb: "ar", pes: "fa", prs: "fa", zsm: "ms", zlm: "ms", ekk: "et", lvs: "lv",
  uzn: "uz", azj: "az", swh: "sw", ydd: "yi", khk: "mn", npi: "ne", ory: "or", plt: "mg",
  gug: "gn", gaz: "om", als: "sq", kmr: "ku", quz: "qu", quy: "qu", fuv: "ff", knc: "kr",
  pbu: "ps", ike: "iu", fil: "tl",
  // Serbo-Croatian as a whole (fastText `sh`) has no current 639-1 code.
  sh: "hbs",
};

/** Individual languages counted as a match for their macrolanguage when scoring (ISO 639-3). */
const MACROLANGUAGE_OF: Record<string, string> = {
  yue: "zh", wuu: "zh", lzh: "zh", hak: "zh", nan: "zh", gan: "zh", hsn: "zh", cdo: "zh",
  azb: "az", ckb: "ku", pnb: "pa", uzs: "uz", aln: "sq", swc: "sw", yih: "yi", fuf: "ff",
  hbs: "sr",
};

const ONE_BY_THREE = new Map<string, string>();
const THREE_BY_ONE = new Map<string, string>();
for (const pair of ISO_639_1_TO_3.split(" ")) {
  const [one, three] = pair.split(":") as [string, string];
  ONE_BY_THREE.set(three, one);
  THREE_BY_ONE.set(one, three);
}

/**
 * The canonical code of a detector's answer: lower case, region and script tags dropped
 * (`zh-Hant` -> `zh`), fastText's `__label__` prefix dropped, aliases resolved, 639-3 turned into
 * 639-1 where one exists. CLD2's script-only tags keep their language (`xx-Goth` -> `got`).
 */
export function canonicalLanguage(code: string): string {
  let c = code.trim().toLowerCase().replace(/^__label__/, "").replace(/_/g, "-");
  if (c === "" || c === "un" || c === "unknown" || c === "und" || c === "zxx") return UNDETERMINED;
  const scriptOnly = SCRIPT_ONLY_LANGUAGE[c];
  if (scriptOnly) return scriptOnly;
  c = c.split("-")[0]!;
  c = ALIASES[c] ?? c;
  return ONE_BY_THREE.get(c) ?? c;
}

/** CLD2 names a few languages only by their script. */
const SCRIPT_ONLY_LANGUAGE: Record<string, string> = {
  "xx-goth": "got", "xx-xsux": "sux", "xx-copt": "cop", "xx-phnx": "phn", "xx-ital": "ett",
  "xx-ugar": "uga", "xx-runr": "non", "xx-ogam": "sga",
};

/** ISO 639-3 of a canonical code (`zh` -> `zho`); codes without a 639-1 form come back unchanged. */
export function iso6393(code: string): string {
  const canonical = canonicalLanguage(code);
  return THREE_BY_ONE.get(canonical) ?? canonical;
}

/**
 * Whether a predicted code counts as the labelled language: the same canonical code, or the
 * label is an individual language and the prediction its macrolanguage (Wu Chinese labelled
 * `wuu`, detected as `zh`). Benchmarks use this; the stages compare canonical codes only.
 */
export function languageMatches(predicted: string, label: string): boolean {
  const p = canonicalLanguage(predicted);
  const l = canonicalLanguage(label);
  return p === l || MACROLANGUAGE_OF[l] === p;
}
