import { describe, expect, it } from "vitest";
import { getDetector } from "../../../stages/language/index.js";
import { resolveNeighbours } from "../../../stages/language/neighbours.js";

/** Sentences we wrote, the same content in each neighbour where we could. */
const SENTENCES: Record<string, string[]> = {
  nn: [
    "Eg veit ikkje kva du meiner, men eg trur det er berre ein liten feil.",
    "Ho kjem heim frå skulen klokka tre kvar dag.",
    "Kva heiter du, og korleis har du det i dag?",
    "Dei budde i eit lite hus ved sjøen, og dei hadde mykje å gjere.",
  ],
  no: [
    "Jeg vet ikke hva du mener, men jeg tror det bare er en liten feil.",
    "Hun kommer hjem fra skolen klokka tre hver dag.",
    "Hva heter du, og hvordan har du det i dag?",
    "De bodde i et lite hus ved sjøen, og de hadde mye å gjøre.",
  ],
  ms: [
    "Saya tidak faham kenapa dia mahu pergi ke sana kerana cuaca sangat buruk.",
    "Kerajaan negeri telah mengumumkan cuti umum pada hari Isnin.",
    "Boleh awak tolong saya bawa kereta ini ke kedai?",
    "Wang itu sudah habis dibelanjakan untuk membeli barang di pejabat pos.",
  ],
  id: [
    "Saya tidak paham kenapa dia mau pergi ke sana karena cuacanya sangat buruk.",
    "Pemerintah daerah telah mengumumkan hari libur nasional pada hari Senin.",
    "Bisa tolong bawa mobil ini ke toko?",
    "Uang itu sudah habis dipakai untuk membeli barang di kantor pos.",
  ],
  hr: [
    "Tko je rekao da ne možemo vidjeti rijeku s ovog mjesta?",
    "Prošli tjedan smo kupili kruh i mlijeko u trgovini pokraj kolodvora.",
    "Sveučilište u Zagrebu osnovano je prije više od tristo godina.",
  ],
  bs: [
    "Ko je rekao da ne možemo vidjeti rijeku sa ovog mjesta?",
    "Prošle sedmice smo kupili hljeb i mlijeko u prodavnici pored stanice.",
    "Šta misliš, gdje ćemo popiti kahvu poslije posla?",
  ],
  sr: [
    "Ko je rekao da ne možemo videti reku sa ovog mesta?",
    "Prošle nedelje smo kupili hleb i mleko u prodavnici pored stanice.",
    "Šta misliš, gde ćemo popiti kafu posle posla?",
  ],
};

describe("close neighbours", () => {
  it("moves a neighbour with more marker words to the top, swapping the two probabilities", () => {
    const guesses = [
      { language: "no", score: 0.8 },
      { language: "nn", score: 0.15 },
      { language: "da", score: 0.05 },
    ];
    // ikkje, eg, kva: 3 Nynorsk markers, none of Bokmål's.
    expect(resolveNeighbours("Eg veit ikkje kva", guesses)).toEqual([
      { language: "nn", score: 0.8 },
      { language: "no", score: 0.15 },
      { language: "da", score: 0.05 },
    ]);
    // A neighbour the detector did not name at all takes the top; the former best follows unscored.
    expect(resolveNeighbours("Eg veit ikkje kva", [{ language: "no", score: 0.9 }])).toEqual([
      { language: "nn", score: 0.9 },
      { language: "no", score: 0 },
    ]);
  });

  it("leaves the guess alone without markers, on a tie with it, outside the groups, and for Cyrillic Serbian", () => {
    const no = [{ language: "no", score: 0.9 }];
    expect(resolveNeighbours("Det er fint vær", no)).toBe(no);
    expect(resolveNeighbours("ikkje ikke", no)).toBe(no);
    const de = [{ language: "de", score: 0.9 }];
    expect(resolveNeighbours("eg veit ikkje", de)).toBe(de);
    const sr = [{ language: "sr", score: 0.9 }];
    expect(resolveNeighbours("Где је млијеко? gdje", sr)).toBe(sr);
  });

  it("splits Serbo-Croatian by the yat reflex, then by the words each standard alone uses", () => {
    const hr = [{ language: "hr", score: 0.7 }, { language: "sr", score: 0.2 }];
    // Ijekavian (vidjeti, rijeku, mjesta) ties Croatian and Bosnian; "ko" (not "tko") is Bosnian.
    expect(resolveNeighbours(SENTENCES.bs![0]!, hr)[0]!.language).toBe("bs");
    expect(resolveNeighbours(SENTENCES.hr![0]!, hr)).toBe(hr);
    expect(resolveNeighbours(SENTENCES.sr![0]!, hr)[0]!.language).toBe("sr");
    // Only ijekavian markers and a Serbian guess: Croatian, ranked above Bosnian by the detector.
    expect(resolveNeighbours("gdje je mlijeko", [{ language: "sr", score: 0.6 }, { language: "hr", score: 0.3 }])[0]!.language).toBe("hr");
  });

  it("tells Scottish Gaelic from Irish by its grave accents, its words and its hyphened h, and Irish by its acute accents", () => {
    const ga = [{ language: "ga", score: 0.7 }, { language: "gd", score: 0.2 }];
    // bhrìgh: a grave accent.
    expect(resolveNeighbours("Do bhrìgh", ga)[0]!.language).toBe("gd");
    // "a h-aon": the hyphened h, which Irish joins to the word ("a haon").
    expect(resolveNeighbours("a h-aon,", ga)[0]!.language).toBe("gd");
    // tha, mi: Gaelic's verb and pronoun; Irish says tá, mé.
    expect(resolveNeighbours("Tha mi sgìth", ga)).toEqual([{ language: "gd", score: 0.7 }, { language: "ga", score: 0.2 }]);
    const gd = [{ language: "gd", score: 0.6 }, { language: "ga", score: 0.3 }];
    // tá, mé, Éire: acute accents; bhí too.
    expect(resolveNeighbours("Tá mé in Éirinn", gd)[0]!.language).toBe("ga");
    // "Nuair a": both languages' words, no accent: the guess stands.
    expect(resolveNeighbours("Nuair a", gd)).toBe(gd);
    expect(resolveNeighbours("Nuair a", ga)).toBe(ga);
  });

  it("counts no word that Malay and Indonesian share", () => {
    // boleh, tak, negeri, jabatan, pejabat (an official in Indonesian), kereta (api), cuti are
    // Indonesian too; ketika, sebuah, tersebut, merupakan are Malay too.
    const id = [{ language: "id", score: 0.6 }, { language: "ms", score: 0.4 }];
    expect(resolveNeighbours("Tidak seorang pun boleh ditangkap, tak ada pejabat negeri yang kehilangan jabatan atau cuti naik kereta api", id)).toBe(id);
    const ms = [{ language: "ms", score: 0.6 }, { language: "id", score: 0.4 }];
    expect(resolveNeighbours("Ketika itu sebuah kapal tersebut merupakan milik kerajaan", ms)).toBe(ms);
  });

  it("tells Croatian from Bosnian and Serbian by the words their standards say differently", () => {
    const bs = [{ language: "bs", score: 0.6 }, { language: "hr", score: 0.3 }];
    // nitko, kazneno: Croatian (2 each); smije, djelo: ijekavian, Croatian and Bosnian (1 each).
    expect(resolveNeighbours("Nitko ne smije biti osuđen za kazneno djelo.", bs)[0]!.language).toBe("hr");
    const hr = [{ language: "hr", score: 0.6 }, { language: "bs", score: 0.3 }];
    // niko, krivično: Bosnian and Serbian; smije, djelo ijekavian: Bosnian 4, Croatian 2, Serbian 2.
    expect(resolveNeighbours("Niko ne smije biti osuđen za krivično djelo.", hr)[0]!.language).toBe("bs");
    // sme, delo ekavian: Serbian 4, Bosnian 2, Croatian 0.
    expect(resolveNeighbours("Niko ne sme biti osuđen za krivično delo.", hr)[0]!.language).toBe("sr");
    // općina, jučer: Croatian and Bosnian alike (Serbian says opština, juče), so the detector's rank decides between them.
    expect(resolveNeighbours("Općina je jučer objavila popis.", [{ language: "sr", score: 0.6 }, { language: "bs", score: 0.3 }])[0]!.language).toBe("bs");
  });

  it("reads Malaysian and Indonesian spellings and the words each alone uses", () => {
    const id = [{ language: "id", score: 0.6 }, { language: "ms", score: 0.4 }];
    // bahawa, cuba, esok: Malaysian; nothing Indonesian.
    expect(resolveNeighbours("Dia berkata bahawa dia akan cuba datang esok.", id)[0]!.language).toBe("ms");
    const ms = [{ language: "ms", score: 0.6 }, { language: "id", score: 0.4 }];
    // bahwa, coba, besok, bisa: Indonesian.
    expect(resolveNeighbours("Dia bilang bahwa dia akan coba datang besok kalau bisa.", ms)[0]!.language).toBe("id");
  });

  it("tells the Croatian loan words and verbs from the Bosnian and Serbian ones", () => {
    const bs = [{ language: "bs", score: 0.6 }, { language: "hr", score: 0.3 }];
    // također, organizirao, Europe: Croatian, 2 each.
    expect(resolveNeighbours("Također je organizirao sastanak u Bruxellesu za ministre Europe.", bs)[0]!.language).toBe("hr");
    const hr = [{ language: "hr", score: 0.6 }, { language: "bs", score: 0.3 }];
    // takođe, organizovao, Evrope: Bosnian and Serbian 3 each; the detector ranks Bosnian above Serbian.
    expect(resolveNeighbours("Takođe je organizovao sastanak u Briselu za ministre Evrope.", hr)[0]!.language).toBe("bs");
    // Places are a weak hint: Sarajevo for Bosnian, where nothing else tells.
    expect(resolveNeighbours("Sastanak će se održati u Sarajevu.", [{ language: "hr", score: 0.6 }, { language: "sr", score: 0.3 }])[0]!.language).toBe("bs");
    // decu (ekavian) tips it to Serbian.
    expect(resolveNeighbours("Takođe je organizovao vrtić za decu.", hr)[0]!.language).toBe("sr");
  });

  it("counts word pairs: 'treba da' with a verb is Bosnian and Serbian syntax, Croatian says 'treba' with an infinitive", () => {
    const hr = [{ language: "hr", score: 0.6 }, { language: "bs", score: 0.3 }];
    // treba da: Bosnian and Serbian 1 each; obrazovanje has no marker; the detector ranks Bosnian above Serbian.
    expect(resolveNeighbours("Obrazovanje treba da bude besplatno.", hr)[0]!.language).toBe("bs");
    // The two words apart, or the infinitive: no marker, the detector's guess stands.
    expect(resolveNeighbours("Obrazovanje treba biti besplatno, da bude dostupno.", hr)[0]!.language).toBe("hr");
  });

  it("the default detector names each of our sentences' language", async () => {
    const detector = await getDetector("default");
    const wrong: string[] = [];
    for (const [language, sentences] of Object.entries(SENTENCES)) {
      for (const sentence of sentences) {
        const got = detector.detect(sentence)[0]?.language;
        if (got !== language) wrong.push(`${language} -> ${got}: ${sentence}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
