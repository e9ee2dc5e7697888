import { de } from "./de.js";
import { en } from "./en.js";
import { es } from "./es.js";
import { fr } from "./fr.js";
import { it } from "./it.js";
import { nl } from "./nl.js";
import { pt } from "./pt.js";
import { ru } from "./ru.js";
import type { LanguageCode, LanguagePack } from "./types.js";

export { LANGUAGE_CODES, TOPICS } from "./types.js";
export type { LanguageCode, LanguagePack, SiteSpec, Topic, UiText } from "./types.js";

export const LANGUAGE_PACKS: Readonly<Record<LanguageCode, LanguagePack>> = { en, de, fr, es, it, nl, pt, ru };
