/**
 * Close neighbours: languages that share most of their vocabulary, where statistical detectors
 * trained on character n-grams mostly answer the larger one (Bokmål for Nynorsk, Indonesian for
 * Malay, Croatian or Serbian for Bosnian). When the detector's best guess is in such a group, the
 * words and spellings that only one member uses decide between the members:
 *
 *   no / nn     Nynorsk's ikkje, eg, kva, frå, berre, mykje, ein, eit, dei … against Bokmål's
 *               ikke, jeg, hva, fra, bare, mye …
 *   ms / id     Malaysian spellings and words (kerana, bahawa, iaitu, wang, mahu, faham, cuba, nombor,
 *               esok, antarabangsa, the months and days Ogos, Julai, Isnin …) against Indonesian ones
 *               (karena, bahwa, yaitu, uang, mobil, mau, paham, coba, nomor, besok, bisa, internasional,
 *               Agustus, Juli, Senin …, and colloquial nggak, banget, udah …). Words both use, if with another sense, are no
 *               markers: boleh, tak, negeri, kerajaan, jabatan, pejabat, kereta, cuti, ketika,
 *               sebuah, tersebut, merupakan (each is in held-out UDHR text of the other language).
 *   hr / bs / sr (Latin)  the yat reflex first: ijekavian (mlijeko, vrijeme, gdje, vidjeti) is
 *               Croatian or Bosnian, ekavian (mleko, vreme, gde, videti) Serbian; then the words
 *               Croatian alone uses (tko, nitko, tisuća, tjedan, kazneno, obveza, neovisan, glazba,
 *               siječanj …) against those Bosnian and Serbian share (ko, niko, šta, hiljada,
 *               sedmica, krivično, obaveza, nezavisan, januar …), the words Croatian and Bosnian
 *               share against Serbian (jučer, uopće, općina, obitelj), and Bosnian's own (lahko,
 *               kahva, historija …). Loan words and their verbs follow the same lines: Croatian's
 *               Europa, demokracija, kvaliteta, organizirati, financirati against Bosnian and
 *               Serbian's Evropa, demokratija, kvalitet, organizovati, finansirati; likewise također /
 *               takođe, uvjet / uslov, milijun / milion, otok / ostrvo, gledatelj / gledalac. Each
 *               country's places (Zagreb, Sarajevo, Beograd …) are a weak hint. Word pairs count
 *               too: "treba da bude" is Bosnian and Serbian syntax where Croatian says "treba biti".
 *   ga / gd     the accents first: Irish writes long vowels with the acute (tá, mé), Scottish Gaelic
 *               with the grave (tha, bhrìgh); then Gaelic's words (tha, bha, chan, mi, thu, gu, bho,
 *               ri) against Irish ones (go, cad, conas, anois, inniu), and Gaelic's hyphened h ("a h-aon").
 *
 * The detector's guess stands unless another member has more marker words (a tie between two
 * other members goes to the one the detector ranks higher). The winner takes the best guess's probability and the former
 * best takes the winner's, so the scores keep their meaning as the detector's probabilities.
 */
import type { LanguageGuess } from "./detectors.js";

type Markers = Record<string, number>;

/** word (or `first_second` word pair) -> weight per language, built from the lists below. */
interface Group {
  languages: readonly string[];
  markers: Map<string, Markers>;
  /** The first words of the marker pairs: only after one of them is a pair looked up. */
  pairStarts: Set<string>;
  /** The member a word's spelling marks, whatever the word (one of the group's accents). */
  spelling?: (word: string) => string | undefined;
}

function group(lists: Record<string, Record<number, string>>, spelling?: Group["spelling"]): Group {
  const markers = new Map<string, Markers>();
  for (const [language, byWeight] of Object.entries(lists)) {
    for (const [weight, words] of Object.entries(byWeight)) {
      for (const word of words.split(/\s+/).filter(Boolean)) {
        const entry = markers.get(word) ?? {};
        entry[language] = (entry[language] ?? 0) + Number(weight);
        markers.set(word, entry);
      }
    }
  }
  const pairStarts = new Set([...markers.keys()].filter((w) => w.includes("_")).map((w) => w.slice(0, w.indexOf("_"))));
  return { languages: Object.keys(lists), markers, pairStarts, ...(spelling ? { spelling } : {}) };
}

const NORWEGIAN = group({
  nn: {
    1:
      "ikkje eg kva korleis kvifor kven kvar frå berre mykje noko nokon ein eit dei ho me òg heime sjølv vere vore " +
      "saman hjå meir fleire gjere seie vart verte kjem gjer veit trur heiter auge augo mjølk dotter sjå tenkje tykkje " +
      "difor medan utan vatn kyrkje veke laurdag sundag eigen eige eigne fyrste nokre elles kvarandre høyrer vitja",
  },
  no: {
    1:
      "ikke jeg hva hvordan hvorfor hvem hvor fra bare mye noe noen en et hun hjemme selv være vært sammen mer " +
      "flere gjøre ble kommer gjør vet tror heter øye melk datter se tenke mens uten vann kirke uke lørdag søndag " +
      "egen egne ellers hverandre hører besøkte",
  },
});

const MALAY = group({
  ms: {
    1:
      "kerana sahaja wang mahu faham fikir universiti polis encik awak nak hospital bas teksi syarikat perniagaan " +
      "telefon televisyen puan sila sikit kat bahawa bahawasanya iaitu esok nombor kerusi kenderaan cuba mencuba dicuba " +
      "percubaan bercakap stesen projek minit isteri sentiasa basikal kasut seluar tuala pawagam petrol ais lembu kacak " +
      "hodoh antarabangsa sempadan kakitangan pasport doktor isnin khamis jumaat julai ogos disember ringgit selepas " +
      "sesiapa kesihatan perkahwinan kahwin berkahwin jenayah perlembagaan cukai kedai je",
  },
  id: {
    1:
      "karena uang mobil gratis mau kapan paham pikir universitas kantor toko pabrik libur bus taksi telepon " +
      "perusahaan bisnis nggak gak enggak sih dong kok banget aja udah gimana kayak lho kalian bahwa yaitu besok " +
      "kemarin bisa nomor kursi kendaraan coba mencoba dicoba percobaan stasiun proyek menit istri senantiasa sepeda " +
      "sepatu celana handuk bioskop ponsel bensin jeruk kue sapi ganteng jelek capek pacar internasional perbatasan " +
      "karyawan paspor dokter apotek senin kamis jumat maret juli agustus desember rupiah kesehatan perkawinan kawin " +
      "menikah pidana pajak gue nih tuh deh emang ngerti pake sampe",
  },
});

/** Ijekavian forms (Croatian, Bosnian) and their ekavian counterparts (Serbian). */
const IJEKAVIAN =
  "mlijeko rijeka rijeke lijepo lijep lijepa vrijeme dijete djeca djece pjesma pjesme djevojka djevojke htio bijel bijela " +
  "bijelo cijeli cijela cijelo cijena mjesto mjesta mjesec vjerovati vjerujem svijet svijeta sjećam tijelo dio riječ riječi " +
  "lijevo zvijezda snijeg uvijek gdje ovdje ondje nigdje negdje svugdje prije poslije dvije sjever smijeh pjevati sjediti " +
  "vidjeti vidio živjeti živio voljeti volio razumjeti htjeti sjesti sjeo vjera vjetar vijest vijesti mjera bježati " +
  "čovjek čovjeka vrijedi vrijedno pobjeda mlijeka cvijet cvijeće lijek lijekovi nedjelja nedjelju djelo djela djelu " +
  "smije smiju primjer primjera promjena promjene predsjednik predsjednika uspjeh uspjeha vijek svjetski savjet " +
  "djecu djeci djecom vjere vjeru savjest savjesti svijest sviješću svješću porijeklo porijekla odjeća odjeću odjeće " +
  "njegu zahtjev zahtjeva zahtjeve usmjeren usmjereno usmjerena miješanje miješanja punoljetni punoljetan posjeduje " +
  "posjedovati vjeroispovijest vjeroispovijesti mjesečno mjesečni vjerojatno vjerovatno pjevač pjevačica";
const EKAVIAN =
  "mleko reka reke lepo lep lepa vreme dete deca dece pesma pesme devojka devojke hteo beo bela belo cela celo cena " +
  "mesto mesta mesec verovati verujem svet sveta sećam telo deo reč reči levo zvezda sneg uvek gde ovde onde nigde negde " +
  "svugde pre posle dve sever smeh pevati sedeti videti živeti živeo voleti voleo razumeti hteti sesti seo vera " +
  "vetar vest vesti mera bežati čovek čoveka vredi vredno pobeda mleka cvet cveće lek lekovi nedelja nedelju delo dela delu " +
  "sme smeju primer primera promena promene predsednik predsednika uspeh uspeha vek svetski savet izveštaj bezbednost " +
  "decu deci decom vere veru savest savesti svest svešću poreklo porekla odeća odeću odeće negu zahtev zahteva " +
  "zahteve usmeren usmereno usmerena mešanje mešanja punoletni punoletan poseduje posedovati veroispovest " +
  "veroispovesti mesečno mesečni verovatno pevač pevačica obezbeđuje obezbeđenje obezbediti obaveštenje obaveštenja";

/** Words the Croatian and Bosnian standards share and Serbian spells otherwise (juče, uopšte, opština, porodica). */
const CROATIAN_AND_BOSNIAN = "jučer uopće općina općine općenito obitelj obitelji";

/** Words the Bosnian and Serbian standards share and Croatian says otherwise (nitko, kazneno, obveza, neovisan …). */
const BOSNIAN_AND_SERBIAN =
  "treba_da niko krivično krivičnog krivični obaveza obaveze obavezan obavezno nezavisan nezavisno nezavisni nauka nauke " +
  "učestvovati učestvuje preduzeće izvještaj penzija garancija takođe uslov uslovi uslova uslovima evropa evrope " +
  "evropi evropu evropski evropske evropskih evropskoj okean demokratija demokratije kvalitet greška greške gledalac " +
  "čitalac slušalac kancelarija fabrika fabrike milion miliona ostrvo organizovati organizuje organizovao organizovan " +
  "definisati definiše informisati kontrolisati registrovati koordinisati finansirati finansiranje finansijski " +
  "finansijske reagovati reaguje šargarepa paradajz krompir supa";

/**
 * Places and the country's name, which web text (news above all) names in its own standard: weight
 * 1, as a hint the spellings above outweigh.
 */
const CROATIAN_PLACES = "hrvatska hrvatske hrvatskoj hrvatsku zagreb zagreba zagrebu osijek osijeku dubrovnik dubrovniku zadar zadru splitu";
const BOSNIAN_PLACES = "bosna bosne bosni hercegovina hercegovine hercegovini sarajevo sarajeva sarajevu mostar mostaru tuzla tuzli zenica zenici";
const SERBIAN_PLACES = "srbija srbije srbiji srbiju beograd beograda beogradu kragujevac kragujevcu";

const BCS = group({
  hr: {
    1: IJEKAVIAN + " " + CROATIAN_AND_BOSNIAN + " " + CROATIAN_PLACES,
    2:
      "tko tisuća tisuću tjedan tjedna tjedno kruh glazba glazbe zrakoplov sveučilište kazalište tijekom " +
      "povijest povijesti kolodvor vlak točno točka računalo nogomet kemija kava siječanj veljača ožujak travanj " +
      "svibanj lipanj srpanj kolovoz rujan listopad studeni prosinac izvanredan nitko netko svatko itko kazneno kaznenog " +
      "kazneni kaznene obveza obveze obvezan obvezno neovisan neovisno neovisni znanost znanosti sudjelovati sudjeluje " +
      "tvrtka tvrtke poduzeće izvješće mirovina jamstvo također kamo tvornica tvornice milijun milijuna otok uvjet " +
      "uvjeti uvjeta uvjetima europa europe europi europu europski europske europskih europskoj ocean demokracija " +
      "demokracije kvaliteta kvalitetu pogreška pogreške gledatelj gledatelji gledatelja čitatelj čitatelji slušatelj " +
      "ured ureda mrkva rajčica krumpir juha zemljopis organizirati organizira organizirao organiziran definirati " +
      "definira informirati kontrolirati registrirati koordinirati financirati financiranje financijski financijske " +
      "reagirati reagira",
  },
  bs: {
    1:
      IJEKAVIAN + " " + CROATIAN_AND_BOSNIAN +
      " ko šta hiljada hiljadu sedmica sedmice porodica voz tačno tačka računar fudbal hemija januar februar mart april " +
      "juni juli august septembar oktobar novembar decembar juče muzika univerzitet pozorište tokom " + BOSNIAN_AND_SERBIAN +
      " " + BOSNIAN_PLACES,
    2: "lahko kahva hljeb historija historije mahala mahrama sevdah čaršija čaršiji avlija avliji dženaza " +
      "akšam rahmetli dunjaluk merhamet sevdalinka",
  },
  sr: {
    1:
      EKAVIAN +
      " ko šta hiljada hiljadu sedmica sedmice porodica voz tačno tačka računar fudbal hemija januar februar mart april " +
      "jun jul avgust septembar oktobar novembar decembar juče muzika univerzitet pozorište tokom " + BOSNIAN_AND_SERBIAN +
      " " + SERBIAN_PLACES,
    2: "hleb istorija istorije uopšte opština opštine opšte srećan srećna srećno avgust",
  },
});

/**
 * Irish and Scottish Gaelic write their long vowels with different accents since Gaelic's 1981
 * spelling reform: Irish with the acute (tá, mé, Éire), Gaelic with the grave (tha mi, Gàidhlig,
 * bhrìgh). Either in a word marks its language; so does a lone "h" (Gaelic writes the prefixed h
 * with a hyphen, "a h-aon", "na h-Alba", Irish joins it, "na hÉireann").
 */
const GAELIC_ACUTE = /[áéíóú]/;
const GAELIC_GRAVE = /[àèìòù]/;

const GAELIC = group(
  {
    gd: { 1: "tha bha chan cha gu mi thu ciamar carson bho ri ris anns h" },
    ga: { 1: "go conas cad freisin anois inniu" },
  },
  (word) => (GAELIC_GRAVE.test(word) ? "gd" : GAELIC_ACUTE.test(word) ? "ga" : undefined),
);

/** The languages of each group of close neighbours. */
export const NEIGHBOUR_GROUPS: ReadonlyArray<readonly string[]> = [NORWEGIAN.languages, MALAY.languages, BCS.languages];

const GROUPS: ReadonlyMap<string, Group> = new Map([
  ...GAELIC.languages.map((l) => [l, GAELIC] as const),
  ...NORWEGIAN.languages.map((l) => [l, NORWEGIAN] as const),
  ...MALAY.languages.map((l) => [l, MALAY] as const),
  ...BCS.languages.map((l) => [l, BCS] as const),
]);

const WORD = /[\p{L}\p{M}]+/gu;
const CYRILLIC = /\p{Script=Cyrillic}/u;

/** Marker weight per member of `group` over the words of `text`, and over word pairs (listed as `first_second`). */
function markerScores(text: string, group: Group): Map<string, number> {
  const scores = new Map(group.languages.map((l) => [l, 0]));
  const add = (entry: Markers | undefined) => {
    if (entry) for (const [language, weight] of Object.entries(entry)) scores.set(language, scores.get(language)! + weight);
  };
  let previous = "";
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    add(group.markers.get(word));
    const marked = group.spelling?.(word);
    if (marked) scores.set(marked, scores.get(marked)! + 1);
    if (group.pairStarts.has(previous)) add(group.markers.get(`${previous}_${word}`));
    previous = word;
  }
  return scores;
}

/**
 * The guesses with the best one replaced by the neighbour the text's marker words point to, when
 * the best guess belongs to a group above and one member has strictly the most markers.
 */
export function resolveNeighbours(text: string, guesses: LanguageGuess[]): LanguageGuess[] {
  const best = guesses[0];
  const found = best && GROUPS.get(best.language);
  if (!best || !found) return guesses;
  // Serbian in Cyrillic is told by its script already; the markers are Latin spellings.
  if (found === BCS && CYRILLIC.test(text)) return guesses;
  const scores = markerScores(text, found);
  const most = Math.max(...scores.values());
  if (most === 0 || scores.get(best.language) === most) return guesses;
  // Among the members with the most markers, the one the detector ranks highest (else group order).
  const rank = (language: string) => {
    const at = guesses.findIndex((g) => g.language === language);
    return at < 0 ? guesses.length + found.languages.indexOf(language) : at;
  };
  const winner = found.languages.filter((l) => scores.get(l) === most).sort((a, b) => rank(a) - rank(b))[0]!;
  const at = guesses.findIndex((g) => g.language === winner);
  const out = guesses.map((g) => ({ ...g }));
  out[0] = { language: winner, score: best.score };
  // The former best takes the winner's place and probability; unscored when the detector had none.
  if (at >= 0) out[at] = { language: best.language, score: guesses[at]!.score };
  else out.splice(1, 0, { language: best.language, score: 0 });
  return out;
}
