/** HTML pages written for the extraction tests: an article wrapped in every common kind of boilerplate. */

export const NEWS_ARTICLE = `<!doctype html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>River Otters Return | Daily Example</title>
  <script>var markup = "<p>not text</p>";</script>
  <style>p { color: red }</style>
</head>
<body>
<header class="site-header"><a href="/">Daily Example</a>
  <nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
</header>
<div id="cookie-banner">We use cookies to improve your experience on our website. <button>Accept all</button></div>
<main>
<article>
  <h1>River Otters Return</h1>
  <div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
  <p>Otters have returned to the river after an absence of forty years, according to a survey
     published on Monday by the regional wildlife trust.</p>
  <h2>What the survey found</h2>
  <p>Volunteers recorded tracks, spraint and, on three occasions, the animals themselves, along a
     twelve-mile stretch of the upper valley.</p>
  <ul><li>Tracks at nine sites</li><li>Sightings at <b>three</b> sites</li><li>Holts at two sites</li></ul>
  <table><tr><th>Year</th><th>Sites</th></tr><tr><td>2019</td><td>2</td></tr><tr><td>2024</td><td>9</td></tr></table>
  <p>The trust&rsquo;s ecologist said the recovery followed decades of work to clean the water,
     restore the banks and reduce the use of pesticides on nearby farmland.</p>
  <pre>survey --river upper
  sites: 9
  holts: 2</pre>
  <ul><li><a href="/beavers">Beavers are back in the lower valley</a></li><li><a href="/kingfishers">Kingfishers nest again</a></li><li><a href="/eels">The mystery of the eels</a></li></ul>
  <aside class="related-links"><h3>Related stories</h3><ul><li><a href="/a">Water voles</a></li></ul></aside>
  <form class="newsletter"><p>Get our weekly nature newsletter</p><input type="email"><button>Sign up</button></form>
</article>
<section id="comments"><h3>3 Comments</h3>
  <div class="comment"><p>Great news, I saw one last week near the old mill bridge, what a sight to behold!</p></div>
</section>
</main>
<div class="ad-slot">Advertisement</div>
<footer><p>&copy; 2024 Daily Example. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body>
</html>`;

export const NEWS_ARTICLE_TEXT = [
  "Otters have returned to the river after an absence of forty years, according to a survey published on Monday by the regional wildlife trust.",
  "What the survey found",
  "Volunteers recorded tracks, spraint and, on three occasions, the animals themselves, along a twelve-mile stretch of the upper valley.",
  "- Tracks at nine sites\n- Sightings at three sites\n- Holts at two sites",
  "Year | Sites\n2019 | 2\n2024 | 9",
  "The trust’s ecologist said the recovery followed decades of work to clean the water, restore the banks and reduce the use of pesticides on nearby farmland.",
  "survey --river upper\n  sites: 9\n  holts: 2",
].join("\n\n");

/** A blog layout without semantic tags: the article is only recognisable by its prose. */
export const JAPANESE_ARTICLE = `<html lang="ja"><head><title>春の京都を歩く</title></head><body>
<div id="menu"><a href="/">ホーム</a> | <a href="/travel">旅行</a> | <a href="/food">グルメ</a></div>
<div class="wrapper">
  <div class="entry">
    <p>三月の終わり、京都の街はまだ少し肌寒かったが、鴨川沿いの桜はすでに咲き始めていた。朝早くに宿を出て、川に沿って北へ歩いた。</p>
    <p>途中で小さな喫茶店に入り、厚切りのトーストとコーヒーを頼んだ。店主は五十年前からこの場所で店を続けているという。</p>
    <p>午後は哲学の道をゆっくりと歩き、銀閣寺まで足を延ばした。観光客は多かったが、静かな時間を過ごすことができた。</p>
  </div>
  <div class="sidebar"><h4>人気の記事</h4><ul><li><a href="/1">大阪の食べ歩き</a></li><li><a href="/2">奈良の鹿</a></li></ul></div>
</div>
<div id="footer">Copyright 2024 旅の記録</div>
</body></html>`;

export const JAPANESE_ARTICLE_TEXT = [
  "三月の終わり、京都の街はまだ少し肌寒かったが、鴨川沿いの桜はすでに咲き始めていた。朝早くに宿を出て、川に沿って北へ歩いた。",
  "途中で小さな喫茶店に入り、厚切りのトーストとコーヒーを頼んだ。店主は五十年前からこの場所で店を続けているという。",
  "午後は哲学の道をゆっくりと歩き、銀閣寺まで足を延ばした。観光客は多かったが、静かな時間を過ごすことができた。",
].join("\n\n");

export const RUSSIAN_ARTICLE = `<!DOCTYPE html><html lang="ru"><head><title>Новый мост через Волгу</title></head><body>
<ul class="menu"><li><a href="/">Главная</a></li><li><a href="/news">Новости</a></li><li><a href="/city">Город</a></li></ul>
<div class="content">
  <div class="article-text">
    <p>В среду в Ярославле открыли новый мост через Волгу, строительство которого продолжалось почти четыре года.</p>
    <p>По словам губернатора, мост позволит разгрузить центр города, где в часы пик образуются многокилометровые пробки.</p>
    <blockquote><p>Это самый крупный инфраструктурный проект области за последние двадцать лет, сказал он журналистам.</p></blockquote>
  </div>
  <div class="social-share"><a href="https://vk.com/share">ВКонтакте</a><a href="https://t.me/share">Telegram</a></div>
  <div class="comments"><p>Наконец-то, ждали этот мост очень долго, теперь до работы доеду за десять минут!</p></div>
</div>
<div class="footer">© 2024 Новости Ярославля</div>
</body></html>`;

export const RUSSIAN_ARTICLE_TEXT = [
  "В среду в Ярославле открыли новый мост через Волгу, строительство которого продолжалось почти четыре года.",
  "По словам губернатора, мост позволит разгрузить центр города, где в часы пик образуются многокилометровые пробки.",
  "Это самый крупный инфраструктурный проект области за последние двадцать лет, сказал он журналистам.",
].join("\n\n");

/**
 * Pages whose boilerplate classes are named in the site's own language: ads ("werbung",
 * "reklama"), related articles ("mehr-zum-thema", "relacionados", "powiazane") and comment threads
 * ("kommentare", "comentarios", "komentarze") of prose as long as the article's.
 */
export const GERMAN_NEWS = `<!doctype html><html lang="de"><head><title>Neue Radwege für die Altstadt | Stadtanzeiger</title></head><body>
<div id="seite">
<div class="kopf"><a href="/">Stadtanzeiger</a> <a href="/lokales">Lokales</a> <a href="/sport">Sport</a></div>
<div class="artikel">
<h1>Neue Radwege für die Altstadt</h1>
<div class="artikel-inhalt">
<p>Der Stadtrat hat am Dienstagabend beschlossen, bis zum Herbst drei neue Radwege durch die Altstadt zu bauen, die den Bahnhof mit dem Marktplatz verbinden.</p>
<p>Die Kosten von rund 1,2 Millionen Euro übernimmt zu einem großen Teil das Land, wie Bürgermeisterin Anna Keller nach der Sitzung mitteilte.</p>
<div class="werbung"><p>Anzeige: Jetzt Ihr neues E-Bike beim Fachhändler um die Ecke probefahren, mit Rabatt, nur diese Woche, solange der Vorrat reicht.</p></div>
<p>Anwohner hatten sich seit Jahren über enge Gassen, parkende Autos und fehlende Abstellplätze beklagt, und der Verkehrsverein sammelte mehr als 2000 Unterschriften.</p>
<p>Die Bauarbeiten sollen im Mai beginnen. Während der Arbeiten bleibt die Brückenstraße für Autos gesperrt, Fußgänger und Radfahrer können sie aber weiter nutzen.</p>
</div>
<div class="mehr-zum-thema"><h3>Mehr zum Thema</h3>
<p><a href="/a1">Parkhaus am Bahnhof</a>: Die Stadt plant, das alte Parkhaus abzureißen, und sucht nun einen Investor, der dort Wohnungen baut.</p>
<p><a href="/a2">Busverkehr</a>: Ab Januar fahren die Linien 4 und 7 im Zehn-Minuten-Takt, auch am Wochenende, teilte der Verkehrsbetrieb mit.</p>
</div>
<div class="kommentare"><h3>Kommentare (2)</h3>
<div class="kommentar"><p>Endlich! Ich fahre jeden Tag mit dem Rad zur Arbeit, und die Brückenstraße war bisher lebensgefährlich, vor allem im Winter.</p></div>
<div class="kommentar"><p>Schön und gut, aber wer bezahlt die Parkplätze, die wegfallen? Die Geschäfte in der Altstadt leiden ohnehin schon, meine ich.</p></div>
</div>
</div>
<div class="fusszeile"><p>© Stadtanzeiger 2024 · Impressum · Datenschutz</p></div>
</div></body></html>`;

export const GERMAN_NEWS_TEXT = [
  "Der Stadtrat hat am Dienstagabend beschlossen, bis zum Herbst drei neue Radwege durch die Altstadt zu bauen, die den Bahnhof mit dem Marktplatz verbinden.",
  "Die Kosten von rund 1,2 Millionen Euro übernimmt zu einem großen Teil das Land, wie Bürgermeisterin Anna Keller nach der Sitzung mitteilte.",
  "Anwohner hatten sich seit Jahren über enge Gassen, parkende Autos und fehlende Abstellplätze beklagt, und der Verkehrsverein sammelte mehr als 2000 Unterschriften.",
  "Die Bauarbeiten sollen im Mai beginnen. Während der Arbeiten bleibt die Brückenstraße für Autos gesperrt, Fußgänger und Radfahrer können sie aber weiter nutzen.",
].join("\n\n");

export const SPANISH_BLOG = `<!doctype html><html lang="es"><head><title>Cómo hacer pan de masa madre en casa</title></head><body>
<div class="cabecera"><a href="/">Mi Cocina</a> <a href="/recetas">Recetas</a></div>
<div class="entrada">
<h1>Cómo hacer pan de masa madre en casa</h1>
<div class="contenido">
<p>Hacer pan de masa madre en casa es más fácil de lo que parece, aunque requiere paciencia, un poco de organización y, sobre todo, una buena masa madre activa.</p>
<p>Mezcla 500 gramos de harina de fuerza con 350 mililitros de agua tibia y deja reposar la mezcla durante una hora antes de añadir la masa madre y la sal.</p>
<p>Después, amasa durante diez minutos, forma una bola y déjala fermentar toda la noche en la nevera, tapada con un paño húmedo.</p>
<p>Por la mañana, hornea el pan a 240 grados durante 45 minutos, los primeros veinte con tapa, y déjalo enfriar sobre una rejilla antes de cortarlo.</p>
</div>
<div class="compartir"><a href="#">Compartir en Facebook</a> <a href="#">Compartir en Twitter</a></div>
<div class="relacionados"><h3>Artículos relacionados</h3>
<p><a href="/b1">Bizcocho de yogur</a>: una receta sencilla, esponjosa y perfecta para desayunar con toda la familia los domingos.</p>
</div>
<div id="comentarios"><h3>3 comentarios</h3>
<div class="comentario"><p>¡Me ha salido perfecto a la primera! Eso sí, lo dejé un poco más de tiempo en el horno, porque el mío calienta menos.</p></div>
<div class="comentario"><p>¿Se puede usar harina integral? Lo he intentado dos veces, pero la masa queda muy densa y no sube nada, no sé qué hago mal.</p></div>
<div class="comentario"><p>Gracias por la receta, muy bien explicada, la haré este fin de semana con mis hijos, que les encanta amasar.</p></div>
</div>
</div>
<div class="pie"><p>© Mi Cocina · Aviso legal · Política de privacidad</p></div>
</body></html>`;

export const SPANISH_BLOG_TEXT = [
  "Hacer pan de masa madre en casa es más fácil de lo que parece, aunque requiere paciencia, un poco de organización y, sobre todo, una buena masa madre activa.",
  "Mezcla 500 gramos de harina de fuerza con 350 mililitros de agua tibia y deja reposar la mezcla durante una hora antes de añadir la masa madre y la sal.",
  "Después, amasa durante diez minutos, forma una bola y déjala fermentar toda la noche en la nevera, tapada con un paño húmedo.",
  "Por la mañana, hornea el pan a 240 grados durante 45 minutos, los primeros veinte con tapa, y déjalo enfriar sobre una rejilla antes de cortarlo.",
].join("\n\n");

export const POLISH_NEWS = `<!doctype html><html lang="pl"><head><title>Nowy park w centrum miasta</title></head><body>
<div class="naglowek"><a href="/">Gazeta Miejska</a> <a href="/wiadomosci">Wiadomości</a></div>
<div class="artykul">
<h1>Nowy park w centrum miasta</h1>
<div class="tresc">
<p>Na miejscu dawnego parkingu przy ulicy Długiej powstanie park z placem zabaw, fontanną i ścieżką rowerową, poinformował w poniedziałek prezydent miasta.</p>
<p>Prace mają rozpocząć się jesienią, a ich koszt, szacowany na cztery miliony złotych, w dużej części pokryją fundusze unijne, jak wynika z komunikatu urzędu.</p>
<p>Mieszkańcy od lat apelowali o więcej zieleni w centrum, a projekt parku wybrano w głosowaniu w ramach budżetu obywatelskiego, w którym wzięło udział ponad pięć tysięcy osób.</p>
</div>
<div class="reklama"><p>Reklama: Najlepsze okna i drzwi w mieście, montaż gratis, zadzwoń już dziś i zapytaj o szczegóły promocji.</p></div>
<div class="powiazane"><h3>Powiązane artykuły</h3>
<p><a href="/c1">Remont dworca</a>: prace na dworcu głównym potrwają dłużej, niż planowano, a pasażerowie muszą liczyć się z utrudnieniami.</p>
</div>
<div class="komentarze"><h3>Komentarze</h3>
<div class="komentarz"><p>Świetny pomysł, tylko gdzie teraz będziemy parkować, skoro w centrum i tak brakuje miejsc, a autobusy jeżdżą rzadko?</p></div>
<div class="komentarz"><p>Nareszcie coś dla dzieci, bo najbliższy plac zabaw jest dwa kilometry stąd, a fontanna na pewno przyda się latem.</p></div>
</div>
</div>
<div class="stopka"><p>© Gazeta Miejska · Regulamin · Polityka prywatności</p></div>
</body></html>`;

export const POLISH_NEWS_TEXT = [
  "Na miejscu dawnego parkingu przy ulicy Długiej powstanie park z placem zabaw, fontanną i ścieżką rowerową, poinformował w poniedziałek prezydent miasta.",
  "Prace mają rozpocząć się jesienią, a ich koszt, szacowany na cztery miliony złotych, w dużej części pokryją fundusze unijne, jak wynika z komunikatu urzędu.",
  "Mieszkańcy od lat apelowali o więcej zieleni w centrum, a projekt parku wybrano w głosowaniu w ramach budżetu obywatelskiego, w którym wzięło udział ponad pięć tysięcy osób.",
].join("\n\n");

/** A page that is all chrome: navigation, a banner and a footer. */
export const NO_CONTENT_PAGE = `<html><head><title>Home</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<div id="cookie-consent">This site uses cookies.</div>
<footer>© 2024</footer>
</body></html>`;

/** `depth` nested divs around one paragraph, closed or left open. */
export function deeplyNested(depth: number, closed: boolean): string {
  const paragraph = "<p>The paragraph at the bottom of a very deep tree still counts as text, and it is kept.</p>";
  return `<html><body>${"<div>".repeat(depth)}${paragraph}${closed ? "</div>".repeat(depth) : ""}</body></html>`;
}
