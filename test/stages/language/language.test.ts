import { describe, expect, it } from "vitest";
import type { Doc, TaskContext } from "../../../pipeline/doc.js";
import { getSpec } from "../../../pipeline/registry.js";
import { cld2Available, DETECTOR_NAMES, type LanguageDetector } from "../../../stages/language/detectors.js";
import { annotateLanguage, getDetector, keepLanguage } from "../../../stages/language/index.js";

// Paragraphs written for this test (not taken from any benchmark set).
const PARAGRAPHS: Record<string, string> = {
  en: "The library on the corner of our street opens early on Saturdays. Children come with their parents to borrow picture books, and the older readers sit by the window with the morning newspaper while the rain taps on the glass.",
  de: "Die Bibliothek an der Ecke unserer Straße öffnet samstags schon früh. Kinder kommen mit ihren Eltern, um Bilderbücher auszuleihen, und die älteren Leser sitzen mit der Morgenzeitung am Fenster, während der Regen gegen die Scheibe klopft.",
  fr: "La bibliothèque au coin de notre rue ouvre tôt le samedi. Les enfants viennent avec leurs parents emprunter des albums, et les lecteurs plus âgés s'installent près de la fenêtre avec le journal du matin pendant que la pluie frappe la vitre.",
  es: "La biblioteca de la esquina de nuestra calle abre temprano los sábados. Los niños vienen con sus padres a pedir prestados libros ilustrados, y los lectores mayores se sientan junto a la ventana con el periódico de la mañana mientras la lluvia golpea el cristal.",
  it: "La biblioteca all'angolo della nostra strada apre presto il sabato. I bambini vengono con i genitori a prendere in prestito libri illustrati, e i lettori più anziani si siedono vicino alla finestra con il giornale del mattino mentre la pioggia batte sul vetro.",
  nl: "De bibliotheek op de hoek van onze straat gaat op zaterdag vroeg open. Kinderen komen met hun ouders prentenboeken lenen, en de oudere lezers zitten bij het raam met de ochtendkrant terwijl de regen tegen het glas tikt.",
  pl: "Biblioteka na rogu naszej ulicy otwiera się w soboty wcześnie rano. Dzieci przychodzą z rodzicami, żeby wypożyczyć książki z obrazkami, a starsi czytelnicy siadają przy oknie z poranną gazetą, podczas gdy deszcz stuka o szybę.",
  ru: "Библиотека на углу нашей улицы по субботам открывается рано. Дети приходят с родителями, чтобы взять книжки с картинками, а пожилые читатели садятся у окна с утренней газетой, пока дождь стучит по стеклу.",
  ja: "私たちの通りの角にある図書館は、土曜日の朝早くから開いています。子どもたちは両親と一緒に絵本を借りに来て、年配の読者は雨が窓をたたく間、朝刊を持って窓辺に座ります。",
  zh: "我们街角的图书馆每到星期六很早就开门。孩子们跟着父母来借图画书，年纪大的读者拿着早报坐在窗边，外面的雨轻轻地敲着玻璃。",
  ar: "تفتح المكتبة الموجودة في زاوية شارعنا أبوابها في وقت مبكر يوم السبت. يأتي الأطفال مع آبائهم لاستعارة الكتب المصورة، ويجلس القراء الأكبر سنا بجانب النافذة مع صحيفة الصباح بينما يطرق المطر على الزجاج.",
  pt: "A biblioteca da esquina da nossa rua abre cedo aos sábados. As crianças vêm com os pais para pegar livros ilustrados emprestados, e os leitores mais velhos sentam-se perto da janela com o jornal da manhã enquanto a chuva bate no vidro.",
  // Galician: a language ELD has no model for; the broad detectors must take over.
  gl: "A biblioteca da esquina da nosa rúa abre cedo os sábados. Os nenos veñen cos seus pais para levar emprestados libros ilustrados, e os lectores máis vellos séntanse xunto á xanela co xornal da mañá mentres a chuvia bate no cristal.",
};

function context(): TaskContext & { drops: Array<[string, string]>; dropped: Doc[] } {
  const drops: Array<[string, string]> = [];
  const dropped: Doc[] = [];
  const ctx: TaskContext & { drops: Array<[string, string]>; dropped: Doc[] } = {
    rank: 0,
    world: 1,
    step: "test",
    stepDataDir: (step) => `/nonexistent/${step}`,
    drops,
    dropped,
    skip() {},
    drop(doc, _stage, reason) {
      drops.push([doc.id, reason]);
      dropped.push(doc);
    },
    log() {},
  };
  return ctx;
}

async function runStage(name: string, params: Record<string, unknown>, docs: Doc[]) {
  const spec = getSpec("stage", name);
  const stage = spec.create(spec.params.parse(params));
  const ctx = context();
  const out: Doc[] = [];
  async function* input() {
    yield* docs;
  }
  for await (const doc of stage.run(input(), ctx)) out.push(doc);
  return { out, drops: ctx.drops, dropped: ctx.dropped };
}

describe("default detector", () => {
  it.each(Object.entries(PARAGRAPHS))("identifies %s", async (language, text) => {
    const detector = await getDetector("default");
    const annotation = annotateLanguage(detector, text, 2000);
    expect(annotation.language).toBe(language);
    expect(annotation.languageScore).toBeGreaterThan(0.5);
    expect(annotation.languageScore).toBeLessThanOrEqual(1);
    expect(annotation.languageRunnerUp).not.toBe(language);
  });

  it("reports which detectors it combined", async () => {
    const detector = (await getDetector("default")) as LanguageDetector & { parts: string[] };
    expect(detector.parts).toEqual(cld2Available() ? ["cld2", "eld", "fasttext", "lexicon", "cld3", "lingua"] : ["eld", "fasttext", "lexicon", "cld3", "lingua"]);
  });
});

// Every single detector a user can choose; CLD2 where its addon is built.
const singleDetectors = DETECTOR_NAMES.filter((name) => name !== "default" && (name !== "cld2" || cld2Available()));
describe.each(singleDetectors)("detector %s", (name) => {
  it("answers in canonical codes", async () => {
    const detector = await getDetector(name);
    // franc says `cmn`, fastText `__label__zh`, CLD2 `zh`: all must come back as `zh`.
    expect(annotateLanguage(detector, PARAGRAPHS.zh!, 2000).language).toBe("zh");
    expect(annotateLanguage(detector, PARAGRAPHS.de!, 2000).language).toBe("de");
  });
});

describe("language stage", () => {
  it("annotates meta and keeps every document", async () => {
    const { out, drops } = await runStage("language", {}, [
      { id: "a", text: PARAGRAPHS.fr!, meta: { kept: 1 } },
      { id: "b", text: PARAGRAPHS.ru!, meta: {} },
    ]);
    expect(drops).toEqual([]);
    expect(out.map((d) => d.meta.language)).toEqual(["fr", "ru"]);
    expect(out[0]!.meta.kept).toBe(1);
    expect(out[0]!.meta.languageDetector).toBe("default");
    expect(typeof out[0]!.meta.languageRunnerUpScore).toBe("number");
  });

  it.each([
    ["empty", ""],
    ["whitespace", "  \n\t  "],
    ["digits", "2024 1 15 300 400"],
  ])("marks %s text undetermined with a reason", async (_kind, text) => {
    const { out } = await runStage("language", {}, [{ id: "x", text, meta: {} }]);
    expect(out[0]!.meta).toMatchObject({ language: "und", languageScore: 0, languageRunnerUp: null, languageReason: "no_letters" });
  });

  it("reads only the first maxChars characters", async () => {
    // 2,100 characters of German, then 50,000 of English: only German is within the sample.
    const german = (PARAGRAPHS.de! + " ").repeat(10).slice(0, 2100);
    const text = german + " " + (PARAGRAPHS.en! + " ").repeat(220);
    const { out } = await runStage("language", { detector: "fasttext", maxChars: 2000 }, [{ id: "x", text, meta: {} }]);
    expect(out[0]!.meta.language).toBe("de");
    const { out: whole } = await runStage("language", { detector: "fasttext", maxChars: 60_000 }, [{ id: "x", text, meta: {} }]);
    expect(whole[0]!.meta.language).toBe("en");
  });
});

describe("language_filter", () => {
  const doc = (language: string, languageScore: number): Doc => ({ id: `${language}-${languageScore}`, text: "not read: meta is set", meta: { language, languageScore } });

  it("keeps at minScore and drops just under it", async () => {
    const { out, drops } = await runStage("language_filter", { languages: ["en"], minScore: 0.65 }, [doc("en", 0.65), doc("en", 0.649), doc("en", 0.651)]);
    expect(out.map((d) => d.id)).toEqual(["en-0.65", "en-0.651"]);
    expect(drops).toEqual([["en-0.649", "language_score"]]);
  });

  it("uses FineWeb's 0.65 by default", () => {
    const params = getSpec("stage", "language_filter").params.parse({ languages: ["en"] }) as { minScore: number };
    expect(params.minScore).toBe(0.65);
    expect(keepLanguage({ language: "en", languageScore: 0.65 }, params as never)).toBe(true);
    expect(keepLanguage({ language: "en", languageScore: 0.6499 }, params as never)).toBe("language_score");
  });

  it("takes a language's own minScore from perLanguage (639-3 keys too), the stage's for the rest", async () => {
    const params = { languages: ["en", "de", "fi"], minScore: 0.65, perLanguage: { deu: { minScore: 0.9 }, fi: { minScore: 0.3 } } };
    const { out, drops } = await runStage("language_filter", params, [doc("en", 0.7), doc("de", 0.8), doc("de", 0.95), doc("fi", 0.4), doc("fi", 0.2)]);
    expect(out.map((d) => d.id)).toEqual(["en-0.7", "de-0.95", "fi-0.4"]);
    expect(drops).toEqual([
      ["de-0.8", "language_score"],
      ["fi-0.2", "language_score"],
    ]);
    expect(getSpec("stage", "language_filter").params.safeParse({ perLanguage: { de: { minScor: 0.5 } } }).success).toBe(false);
  });

  it("drops other languages by name, and accepts 639-3 codes in `languages`", async () => {
    const { out, drops } = await runStage("language_filter", { languages: ["eng", "nob"] }, [doc("en", 0.9), doc("no", 0.9), doc("de", 0.99), doc("und", 0)]);
    expect(out.map((d) => d.meta.language)).toEqual(["en", "no"]);
    expect(drops).toEqual([
      ["de-0.99", "language:de"],
      ["und-0", "language:und"],
    ]);
  });

  it("with no languages only annotates", async () => {
    const { out, drops } = await runStage("language_filter", {}, [
      { id: "fr", text: PARAGRAPHS.fr!, meta: {} },
      doc("de", 0.01),
      { id: "empty", text: "", meta: {} },
    ]);
    expect(drops).toEqual([]);
    expect(out.map((d) => d.meta.language)).toEqual(["fr", "de", "und"]);
  });

  it("annotates documents that have no meta.language before deciding", async () => {
    const { out, drops } = await runStage("language_filter", { languages: ["es"] }, [
      { id: "es", text: PARAGRAPHS.es!, meta: {} },
      { id: "it", text: PARAGRAPHS.it!, meta: {} },
    ]);
    expect(out.map((d) => [d.id, d.meta.language])).toEqual([["es", "es"]]);
    expect(drops).toEqual([["it", "language:it"]]);
  });

  it("drops a document with the annotation that decided it, so excluded/ can be re-thresholded", async () => {
    const { dropped } = await runStage("language_filter", { languages: ["es"] }, [{ id: "it", text: PARAGRAPHS.it!, meta: { source: "x" } }]);
    expect(dropped[0]!.meta).toMatchObject({ source: "x", language: "it", languageDetector: "default" });
    expect(dropped[0]!.meta.languageScore).toBeGreaterThan(0.5);
  });
});
