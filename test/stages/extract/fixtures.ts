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
 * Pages whose boilerplate classes are named in the site's own language: captions ("bildunterschrift"), ads ("werbung",
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
<div class="bild"><img src="radweg.jpg" alt=""><span class="bildunterschrift">Auf der Brückenstraße wird es ab Mai eng: Hier entsteht der erste der drei neuen Radwege.</span></div>
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

/** A phpBB thread (German): the posts are the content; author lines, profiles, pagination and the software's copyright line are not. */
export const PHPBB_THREAD = `<!doctype html><html lang="de"><head><title>Heizung macht Geräusche - Haustechnik-Forum</title></head><body>
<div id="wrap">
<div class="headerbar"><a href="/">Haustechnik-Forum</a> <a href="/faq">FAQ</a> <a href="/register">Registrieren</a></div>
<div class="navbar"><a href="/">Foren-Übersicht</a> › <a href="/f/heizung">Heizung</a></div>
<h2 class="topic-title">Heizung macht Geräusche</h2>
<div class="pagination">3 Beiträge • Seite 1 von 1</div>
<div id="p101" class="post bg2"><div class="inner">
<div class="postbody"><h3>Heizung macht Geräusche</h3><p class="author">von <a href="/u/klaus">klaus_m</a> » Mo 12. Feb 2024, 18:02</p>
<div class="content">Hallo zusammen,<br><br>seit ein paar Tagen gluckert unsere Heizung im Obergeschoss ständig, vor allem nachts, wenn die Anlage runterfährt.<br>Entlüften habe ich schon zweimal probiert, aber das Geräusch kommt nach einem Tag wieder. Hat jemand eine Idee, woran das liegen kann?</div>
</div>
<dl class="postprofile"><dt><a href="/u/klaus">klaus_m</a></dt><dd>Beiträge: 12</dd><dd>Registriert: Di 3. Jan 2023</dd></dl>
</div></div>
<div id="p102" class="post bg1"><div class="inner">
<div class="postbody"><h3>Re: Heizung macht Geräusche</h3><p class="author">von <a href="/u/sabine">sabine_h</a> » Mo 12. Feb 2024, 19:15</p>
<div class="content">Das klingt nach zu wenig Druck in der Anlage. Schau mal am Manometer, ob der Druck zwischen 1,5 und 2 bar liegt, wenn die Heizung kalt ist.</div>
</div>
<dl class="postprofile"><dt><a href="/u/sabine">sabine_h</a></dt><dd>Beiträge: 845</dd></dl>
</div></div>
<div id="p103" class="post bg2"><div class="inner">
<div class="postbody"><h3>Re: Heizung macht Geräusche</h3><p class="author">von <a href="/u/klaus">klaus_m</a> » Di 13. Feb 2024, 07:40</p>
<div class="content">Danke, das war es! Der Druck lag nur bei 0,8 bar. Nach dem Nachfüllen ist Ruhe, und die Heizkörper werden auch oben wieder richtig warm.</div>
</div>
<dl class="postprofile"><dt><a href="/u/klaus">klaus_m</a></dt><dd>Beiträge: 12</dd></dl>
</div></div>
<div class="copyright">Powered by phpBB® Forum Software © phpBB Limited</div>
</div></body></html>`;

export const PHPBB_THREAD_TEXT = [
  "Heizung macht Geräusche",
  "Hallo zusammen,",
  "seit ein paar Tagen gluckert unsere Heizung im Obergeschoss ständig, vor allem nachts, wenn die Anlage runterfährt.\nEntlüften habe ich schon zweimal probiert, aber das Geräusch kommt nach einem Tag wieder. Hat jemand eine Idee, woran das liegen kann?",
  "Re: Heizung macht Geräusche",
  "Das klingt nach zu wenig Druck in der Anlage. Schau mal am Manometer, ob der Druck zwischen 1,5 und 2 bar liegt, wenn die Heizung kalt ist.",
  "Re: Heizung macht Geräusche",
  "Danke, das war es! Der Druck lag nur bei 0,8 bar. Nach dem Nachfüllen ist Ruhe, und die Heizkörper werden auch oben wieder richtig warm.",
].join("\n\n");

/** A XenForo thread: every post is an <article class="message">; user cells, reactions and the page chrome are not content. */
export const XENFORO_THREAD = `<!doctype html><html lang="en"><head><title>Best budget road bike? | Cycling Forums</title></head><body>
<div class="p-pageWrapper">
<header class="p-header"><a href="/">Cycling Forums</a></header>
<nav class="p-nav"><a href="/forums">Forums</a> <a href="/whats-new">What's new</a></nav>
<div class="p-body"><div class="p-body-inner">
<div class="p-title"><h1 class="p-title-value">Best budget road bike?</h1></div>
<div class="block-body js-replyNewMessageContainer">
<article class="message message--post" data-author="pedalpusher" id="js-post-1">
<div class="message-inner"><div class="message-cell message-cell--user"><h4 class="message-name"><a href="/m/1">pedalpusher</a></h4><h5 class="userTitle">New member</h5></div>
<div class="message-cell message-cell--main"><div class="message-attribution"><a href="/p/1"><time>Mar 3, 2024</time></a></div>
<div class="message-content"><div class="bbWrapper">I'm looking for my first road bike and can spend about 900 dollars. I mostly ride on weekends, 40 to 60 miles, with some hills. Aluminium or steel, and is Shimano Sora good enough?</div></div>
<div class="message-footer"><a href="/p/1/react">Like</a> <a href="/p/1/reply">Reply</a></div></div></div></article>
<article class="message message--post" data-author="hillclimber" id="js-post-2">
<div class="message-inner"><div class="message-cell message-cell--user"><h4 class="message-name"><a href="/m/2">hillclimber</a></h4></div>
<div class="message-cell message-cell--main"><div class="message-attribution"><a href="/p/2"><time>Mar 3, 2024</time></a></div>
<div class="message-content"><div class="bbWrapper">Sora is fine for that kind of riding. I'd put the money into a good fit and decent tyres first, then upgrade the wheels later if you get serious about it.</div></div>
<div class="message-footer"><a href="/p/2/react">Like</a> <a href="/p/2/reply">Reply</a></div></div></div></article>
<article class="message message--post" data-author="velo_anna" id="js-post-3">
<div class="message-inner"><div class="message-cell message-cell--user"><h4 class="message-name"><a href="/m/3">velo_anna</a></h4></div>
<div class="message-cell message-cell--main"><div class="message-attribution"><a href="/p/3"><time>Mar 4, 2024</time></a></div>
<div class="message-content"><div class="bbWrapper">Look at last year's models in the shops now, the discounts are big. I got a Tiagra bike for the price of a Sora one, and it has been great for three seasons.</div></div>
<div class="message-footer"><a href="/p/3/react">Like</a> <a href="/p/3/reply">Reply</a></div></div></div></article>
</div></div></div>
<footer class="p-footer"><a href="/terms">Terms and rules</a> <a href="/privacy">Privacy policy</a></footer>
</div></body></html>`;

export const XENFORO_THREAD_TEXT = [
  "I'm looking for my first road bike and can spend about 900 dollars. I mostly ride on weekends, 40 to 60 miles, with some hills. Aluminium or steel, and is Shimano Sora good enough?",
  "Sora is fine for that kind of riding. I'd put the money into a good fit and decent tyres first, then upgrade the wheels later if you get serious about it.",
  "Look at last year's models in the shops now, the discounts are big. I got a Tiagra bike for the price of a Sora one, and it has been great for three seasons.",
].join("\n\n");

/** A Chinese news page: short paragraphs with few commas, a hot-news link list beside them, an editor line. */
export const CHINESE_NEWS = `<!doctype html><html lang="zh-CN"><head><title>本市新建三座图书馆_新闻中心</title></head><body>
<div class="top"><a href="/">首页</a> <a href="/news">新闻</a> <a href="/sports">体育</a> <a href="/finance">财经</a></div>
<div class="main">
<div class="left">
<h1>本市新建三座图书馆</h1>
<div class="info">2024-03-05 09:12 来源：本报</div>
<div class="article">
<p>记者从市文化局获悉，今年本市将新建三座公共图书馆。</p>
<p>新馆分别位于东区、西区和南区，预计年底前全部开放。</p>
<p>每座图书馆藏书约十万册，并设有儿童阅读区和自习室。</p>
<p>市民凭身份证即可免费办理借书证。</p>
<p>文化局负责人表示，将继续推动全民阅读。</p>
</div>
<div class="editor">责任编辑：王明</div>
</div>
<div class="right"><h3>热点新闻</h3><ul><li><a href="/1">地铁五号线下月通车</a></li><li><a href="/2">春季招聘会周末举行</a></li><li><a href="/3">多地迎来降温天气</a></li></ul></div>
</div>
<div class="foot">版权所有 © 2024 新闻中心 京ICP备12345678号</div>
</body></html>`;

export const CHINESE_NEWS_TEXT = [
  "记者从市文化局获悉，今年本市将新建三座公共图书馆。",
  "新馆分别位于东区、西区和南区，预计年底前全部开放。",
  "每座图书馆藏书约十万册，并设有儿童阅读区和自习室。",
  "市民凭身份证即可免费办理借书证。",
  "文化局负责人表示，将继续推动全民阅读。",
].join("\n\n");

/** An Arabic (right-to-left) news page in a grid layout, with tags and a most-read list beside the text. */
export const ARABIC_NEWS = `<!doctype html><html lang="ar" dir="rtl"><head><title>افتتاح مستشفى جديد في المدينة</title></head><body>
<div class="header"><a href="/">الرئيسية</a> <a href="/news">أخبار</a> <a href="/sport">رياضة</a></div>
<div class="container"><div class="row">
<div class="col-md-8">
<h1>افتتاح مستشفى جديد في المدينة</h1>
<p>افتتح وزير الصحة اليوم مستشفى جديدا في وسط المدينة، بسعة مئتي سرير، ويضم أقساما للطوارئ والأطفال والجراحة.</p>
<p>وقال الوزير في كلمته إن المستشفى سيخدم أكثر من نصف مليون نسمة، وإن العمل جار على بناء مستشفيين آخرين في الشمال والجنوب.</p>
<p>وأضاف أن المستشفى مجهز بأحدث الأجهزة الطبية، وأن الكوادر العاملة فيه تلقت تدريبا خاصا خلال الأشهر الماضية.</p>
<div class="tags"><a href="/t/1">صحة</a> <a href="/t/2">مستشفيات</a></div>
</div>
<div class="col-md-4"><h3>الأكثر قراءة</h3><ul><li><a href="/a">ارتفاع أسعار الذهب</a></li><li><a href="/b">نتائج الدوري</a></li></ul></div>
</div></div>
<div class="footer">جميع الحقوق محفوظة © 2024</div>
</body></html>`;

export const ARABIC_NEWS_TEXT = [
  "افتتح وزير الصحة اليوم مستشفى جديدا في وسط المدينة، بسعة مئتي سرير، ويضم أقساما للطوارئ والأطفال والجراحة.",
  "وقال الوزير في كلمته إن المستشفى سيخدم أكثر من نصف مليون نسمة، وإن العمل جار على بناء مستشفيين آخرين في الشمال والجنوب.",
  "وأضاف أن المستشفى مجهز بأحدث الأجهزة الطبية، وأن الكوادر العاملة فيه تلقت تدريبا خاصا خلال الأشهر الماضية.",
].join("\n\n");

/** A Dutch FAQ: four question-and-answer blocks, each too short to score on its own. */
export const DUTCH_FAQ = `<!doctype html><html lang="nl"><head><title>Veelgestelde vragen</title></head><body>
<div class="nav"><a href="/">Home</a> <a href="/contact">Contact</a></div>
<div id="faq">
<div class="vraag"><h3>Wanneer is de winkel open?</h3><div class="antwoord">Ma t/m za, 9 tot 18 uur.</div></div>
<div class="vraag"><h3>Kan ik met pin betalen?</h3><div class="antwoord">Ja, en ook contant.</div></div>
<div class="vraag"><h3>Is er parkeergelegenheid?</h3><div class="antwoord">Ja, achter de winkel.</div></div>
<div class="vraag"><h3>Bezorgen jullie thuis?</h3><div class="antwoord">Binnen 10 km gratis.</div></div>
</div>
<div class="footer">© Fietswinkel De Ketting</div>
</body></html>`;

export const DUTCH_FAQ_TEXT = [
  "Wanneer is de winkel open?",
  "Ma t/m za, 9 tot 18 uur.",
  "Kan ik met pin betalen?",
  "Ja, en ook contant.",
  "Is er parkeergelegenheid?",
  "Ja, achter de winkel.",
  "Bezorgen jullie thuis?",
  "Binnen 10 km gratis.",
].join("\n\n");

/** A timetable page: one sentence of prose, then the table that is the content. */
export const TIMETABLE = `<!doctype html><html lang="en"><head><title>Bus 42 timetable</title></head><body>
<nav><a href="/">Home</a> <a href="/routes">Routes</a></nav>
<main><h1>Bus 42 timetable</h1>
<p>Route 42 runs between the Central Station and the University every twenty minutes on weekdays, and every half hour at weekends.</p>
<table><tr><th>Stop</th><th>First bus</th><th>Last bus</th></tr>
<tr><td>Central Station</td><td>05:40</td><td>23:10</td></tr>
<tr><td>Market Square</td><td>05:46</td><td>23:16</td></tr>
<tr><td>University</td><td>06:02</td><td>23:32</td></tr></table>
</main><footer>City Transport</footer>
</body></html>`;

export const TIMETABLE_TEXT = [
  "Route 42 runs between the Central Station and the University every twenty minutes on weekdays, and every half hour at weekends.",
  "Stop | First bus | Last bus\nCentral Station | 05:40 | 23:10\nMarket Square | 05:46 | 23:16\nUniversity | 06:02 | 23:32",
].join("\n\n");

/** An old club page laid out with a table: a menu column of links beside a text column broken by <br>. */
export const TABLE_LAYOUT_PAGE = `<html><head><title>Vereinsgeschichte - TSV Musterdorf 1898 e.V.</title></head>
<body bgcolor="#ffffff">
<table width="800" border="0"><tr><td colspan="2"><img src="logo.gif"> <b>TSV Musterdorf 1898 e.V.</b></td></tr>
<tr><td width="150" valign="top">
<a href="index.html">Startseite</a><br><a href="aktuelles.html">Aktuelles</a><br><a href="fussball.html">Fußball</a><br>
<a href="turnen.html">Turnen</a><br><a href="tennis.html">Tennis</a><br><a href="geschichte.html">Geschichte</a><br>
<a href="kontakt.html">Kontakt</a><br><a href="impressum.html">Impressum</a>
</td><td valign="top">
<font face="Arial" size="2"><b>Unsere Vereinsgeschichte</b><br><br>
Der TSV Musterdorf wurde im Frühjahr 1898 von zwölf jungen Männern im Gasthaus "Zur Linde" gegründet. Zunächst wurde ausschließlich geturnt, und die Übungsstunden fanden im Saal des Gasthauses statt.<br><br>
Nach dem Ersten Weltkrieg kam 1921 die Fußballabteilung hinzu. Der erste Sportplatz wurde in Eigenleistung auf einer Wiese am Ortsrand angelegt, die ein Landwirt dem Verein zur Verfügung gestellt hatte.<br><br>
In den sechziger Jahren wuchs der Verein stark. 1964 wurde die Tennisabteilung gegründet, und 1968 konnte das neue Vereinsheim mit Umkleiden und Duschen eingeweiht werden.<br><br>
Heute zählt der TSV Musterdorf über 850 Mitglieder in sechs Abteilungen und ist damit der größte Verein der Gemeinde.
</font></td></tr>
<tr><td colspan="2"><font size="1">&copy; 2004 TSV Musterdorf | <a href="impressum.html">Impressum</a> | Letzte Änderung: 12.03.2004</font></td></tr>
</table></body></html>`;

export const TABLE_LAYOUT_PAGE_TEXT = [
  "Unsere Vereinsgeschichte",
  'Der TSV Musterdorf wurde im Frühjahr 1898 von zwölf jungen Männern im Gasthaus "Zur Linde" gegründet. Zunächst wurde ausschließlich geturnt, und die Übungsstunden fanden im Saal des Gasthauses statt.',
  "Nach dem Ersten Weltkrieg kam 1921 die Fußballabteilung hinzu. Der erste Sportplatz wurde in Eigenleistung auf einer Wiese am Ortsrand angelegt, die ein Landwirt dem Verein zur Verfügung gestellt hatte.",
  "In den sechziger Jahren wuchs der Verein stark. 1964 wurde die Tennisabteilung gegründet, und 1968 konnte das neue Vereinsheim mit Umkleiden und Duschen eingeweiht werden.",
  "Heute zählt der TSV Musterdorf über 850 Mitglieder in sechs Abteilungen und ist damit der größte Verein der Gemeinde.",
].join("\n\n");

/** German regional news with a consent layer, breadcrumbs, a newsletter box, a paywall offer, tags and teasers. */
export const GERMAN_PAYWALL_NEWS = `<!doctype html><html lang="de"><head><title>Hochwasser: Pegel an der Mosel steigt weiter - Trierer Tageblatt</title></head>
<body>
<div id="cmp-banner" class="consent-layer"><p>Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren und die Zugriffe auf unsere Website zu analysieren. Weitere Informationen finden Sie in unserer Datenschutzerklärung.</p><button>Alle akzeptieren</button><button>Einstellungen</button></div>
<header class="site-header"><a href="/">Trierer Tageblatt</a><nav><a href="/region">Region</a> <a href="/sport">Sport</a> <a href="/kultur">Kultur</a></nav></header>
<div class="breadcrumb"><a href="/">Startseite</a> › <a href="/region">Region</a> › <a href="/region/trier">Trier</a></div>
<main>
<article class="article">
<h1>Hochwasser: Pegel an der Mosel steigt weiter</h1>
<div class="article-meta"><span class="author">Von Maria Schneider</span> <time>14.01.2025, 08:15 Uhr</time></div>
<p class="lead"><strong>Nach tagelangem Regen erreicht die Mosel in Trier am Mittwoch voraussichtlich einen Pegelstand von über acht Metern. Die Stadt hat erste Uferstraßen gesperrt.</strong></p>
<figure><img src="mosel.jpg" alt=""><figcaption>Die Mosel bei Trier am Dienstagabend. Foto: Thomas Weber</figcaption></figure>
<p>Der Hochwassermeldedienst rechnet damit, dass der Scheitel in der Nacht zum Donnerstag erreicht wird. Bis dahin könne der Pegel um weitere 40 Zentimeter steigen, sagte ein Sprecher des Landesamts für Umwelt.</p>
<div class="newsletter-box"><h3>Newsletter</h3><p>Die wichtigsten Nachrichten aus der Region jeden Morgen in Ihrem Postfach. Jetzt kostenlos anmelden!</p><form><input type="email"><button>Anmelden</button></form></div>
<p>Betroffen sind vor allem die Stadtteile Zurlauben und Pfalzel. Anwohner werden gebeten, Keller auszuräumen und Fahrzeuge aus den tief gelegenen Straßen zu entfernen. Die Feuerwehr hat Sandsäcke an drei Ausgabestellen bereitgestellt.</p>
<div class="paywall-teaser"><p>Lesen Sie weiter mit TT+ – jetzt einen Monat für 0,99 Euro testen.</p><a href="/abo">Jetzt abonnieren</a></div>
<p>Auch der Schiffsverkehr ist eingeschränkt: Seit Dienstagmittag dürfen auf der Mosel zwischen Koblenz und der französischen Grenze keine Frachtschiffe mehr fahren.</p>
<div class="tags">Themen: <a href="/t/hochwasser">Hochwasser</a> <a href="/t/mosel">Mosel</a> <a href="/t/trier">Trier</a></div>
</article>
<aside class="teaser-list"><h2>Das könnte Sie auch interessieren</h2><ul><li><a href="/a1">Sturmtief sorgt für Bahnchaos in der Eifel</a></li><li><a href="/a2">Neue Brücke in Konz wird später fertig</a></li></ul></aside>
</main>
<footer><p>© 2025 Trierer Tageblatt GmbH · <a href="/impressum">Impressum</a> · <a href="/datenschutz">Datenschutz</a></p></footer>
</body></html>`;

export const GERMAN_PAYWALL_NEWS_TEXT = [
  "Nach tagelangem Regen erreicht die Mosel in Trier am Mittwoch voraussichtlich einen Pegelstand von über acht Metern. Die Stadt hat erste Uferstraßen gesperrt.",
  "Der Hochwassermeldedienst rechnet damit, dass der Scheitel in der Nacht zum Donnerstag erreicht wird. Bis dahin könne der Pegel um weitere 40 Zentimeter steigen, sagte ein Sprecher des Landesamts für Umwelt.",
  "Betroffen sind vor allem die Stadtteile Zurlauben und Pfalzel. Anwohner werden gebeten, Keller auszuräumen und Fahrzeuge aus den tief gelegenen Straßen zu entfernen. Die Feuerwehr hat Sandsäcke an drei Ausgabestellen bereitgestellt.",
  "Auch der Schiffsverkehr ist eingeschränkt: Seit Dienstagmittag dürfen auf der Mosel zwischen Koblenz und der französischen Grenze keine Frachtschiffe mehr fahren.",
].join("\n\n");

/** A vBulletin 3 thread: each post a table of its own, the poster's details in the cell beside the message. */
export const VBULLETIN_THREAD = `<html><head><title>Welches Öl für den Rasenmäher? - Garten-Forum</title></head><body>
<table class="tborder" width="100%"><tr><td class="alt1"><a href="/">Garten-Forum</a> &gt; <a href="/f5">Technik</a></td></tr></table>
<div id="posts">
<table id="post1001" class="tborder" width="100%"><tr><td class="thead">12.05.2019, 18:22 <a href="#post1001">#1</a></td></tr>
<tr><td class="alt2" width="175"><a class="bigusername" href="/u/77">GartenGerd</a><div class="smallfont">Mitglied</div><div class="smallfont">Registriert seit: 03.2015<br>Beiträge: 412</div></td>
<td class="alt1" id="td_post_1001"><div class="smallfont"><strong>Welches Öl für den Rasenmäher?</strong></div><hr>
<div id="post_message_1001">Hallo zusammen,<br><br>mein Benzin-Rasenmäher (Viertakter, 140 ccm) braucht einen Ölwechsel. In der Anleitung steht SAE 30, im Baumarkt gibt es aber fast nur 10W-30. Kann ich das auch nehmen, oder schadet das dem Motor?<br><br>Danke und Gruß<br>Gerd</div>
</td></tr></table>
<table id="post1002" class="tborder" width="100%"><tr><td class="thead">12.05.2019, 19:05 <a href="#post1002">#2</a></td></tr>
<tr><td class="alt2" width="175"><a class="bigusername" href="/u/12">Motorfreund</a><div class="smallfont">Moderator</div><div class="smallfont">Registriert seit: 11.2009<br>Beiträge: 8.311</div></td>
<td class="alt1" id="td_post_1002"><div id="post_message_1002">Hallo Gerd,<br><br>10W-30 ist bei Rasenmähern völlig in Ordnung, solange du im Sommer mähst. SAE 30 ist ein Einbereichsöl und wurde früher empfohlen, weil die Motoren einfacher gebaut waren. Wichtig ist nur, dass du nicht zu viel einfüllst: Miss den Stand mit dem Peilstab, ohne ihn einzuschrauben.<br><br>Viele Grüße</div>
</td></tr></table>
</div>
<table class="tborder"><tr><td class="alt1 smallfont">Powered by vBulletin® Version 3.8.7<br>Copyright ©2000 - 2019, vBulletin Solutions, Inc.</td></tr></table>
</body></html>`;

export const VBULLETIN_THREAD_TEXT = [
  "Hallo zusammen,",
  "mein Benzin-Rasenmäher (Viertakter, 140 ccm) braucht einen Ölwechsel. In der Anleitung steht SAE 30, im Baumarkt gibt es aber fast nur 10W-30. Kann ich das auch nehmen, oder schadet das dem Motor?",
  "Danke und Gruß\nGerd",
  "Hallo Gerd,",
  "10W-30 ist bei Rasenmähern völlig in Ordnung, solange du im Sommer mähst. SAE 30 ist ein Einbereichsöl und wurde früher empfohlen, weil die Motoren einfacher gebaut waren. Wichtig ist nur, dass du nicht zu viel einfüllst: Miss den Stand mit dem Peilstab, ohne ihn einzuschrauben.",
  "Viele Grüße",
].join("\n\n");

/** A German encyclopedia article: infobox, contents box, edit links, references, navigation box, categories. */
export const WIKI_ARTICLE = `<!DOCTYPE html><html lang="de"><head><title>Burg Eltz – Wikipedia</title></head><body>
<div id="mw-navigation"><div id="p-navigation"><ul><li><a href="/wiki/Hauptseite">Hauptseite</a></li><li><a href="/wiki/Themenportale">Themenportale</a></li><li><a href="/wiki/Zufall">Zufälliger Artikel</a></li></ul></div></div>
<div id="content" class="mw-body"><h1 id="firstHeading">Burg Eltz</h1>
<div id="bodyContent"><div id="siteSub">aus Wikipedia, der freien Enzyklopädie</div>
<div id="mw-content-text"><div class="mw-parser-output">
<table class="infobox"><tr><th colspan="2">Burg Eltz</th></tr><tr><td>Entstehungszeit</td><td>12. Jahrhundert</td></tr><tr><td>Burgentyp</td><td>Höhenburg</td></tr><tr><td>Ort</td><td><a href="/wiki/Wierschem">Wierschem</a></td></tr></table>
<p>Die <b>Burg Eltz</b> ist eine Höhenburg aus dem 12. Jahrhundert im Tal der <a href="/wiki/Elz_(Mosel)">Elz</a>, einem nördlichen Seitental der Mosel, in Rheinland-Pfalz. Sie gehört zu den bekanntesten Burgen Deutschlands.</p>
<div id="toc" class="toc"><div class="toctitle"><h2>Inhaltsverzeichnis</h2></div><ul><li><a href="#Lage">1 Lage</a></li><li><a href="#Geschichte">2 Geschichte</a></li><li><a href="#Literatur">3 Literatur</a></li></ul></div>
<h2><span class="mw-headline" id="Lage">Lage</span><span class="mw-editsection">[<a href="?action=edit&section=1">Bearbeiten</a>]</span></h2>
<p>Die Burg steht auf einem 70 Meter hohen Felsen, der auf drei Seiten von der Elz umflossen wird. Sie liegt an einer alten Handelsstraße, die von der Mosel in die Eifel führte.<sup class="reference"><a href="#cite_note-1">[1]</a></sup></p>
<h2><span class="mw-headline" id="Geschichte">Geschichte</span><span class="mw-editsection">[<a href="?action=edit&section=2">Bearbeiten</a>]</span></h2>
<p>Die erste urkundliche Erwähnung stammt aus dem Jahr 1157. Seit über 850 Jahren befindet sich die Burg im Besitz derselben Familie, heute in der 33. Generation.</p>
<p>Im Gegensatz zu vielen anderen Burgen am Rhein wurde Burg Eltz nie zerstört, da sie durch Diplomatie und ihre geschützte Lage Kriege unbeschadet überstand.</p>
<h2><span class="mw-headline" id="Literatur">Literatur</span></h2>
<ul><li>Johannes Mötsch: <i>Burg Eltz</i>. Verlag Schnell &amp; Steiner, Regensburg 2009.</li></ul>
<h2><span class="mw-headline" id="Einzelnachweise">Einzelnachweise</span></h2>
<ol class="references"><li id="cite_note-1"><a href="#cite_ref-1">↑</a> <a href="http://example.org">Lage der Burg</a>, abgerufen am 3. Mai 2020.</li></ol>
<div class="navbox"><a href="/wiki/Liste_von_Burgen">Burgen in Rheinland-Pfalz</a>: <a href="/a">Burg A</a> · <a href="/b">Burg B</a> · <a href="/c">Burg C</a> · <a href="/d">Burg D</a></div>
</div></div>
<div id="catlinks" class="catlinks"><a href="/wiki/Kategorie:Burg">Kategorien</a>: <a href="/k1">Burg in Rheinland-Pfalz</a> | <a href="/k2">Kulturdenkmal</a></div>
</div></div>
<div id="footer"><ul><li>Diese Seite wurde zuletzt am 1. Juni 2023 bearbeitet.</li><li><a href="/datenschutz">Datenschutz</a></li></ul></div>
</body></html>`;

/** German local news whose related-article teasers follow the text under an "Das könnte Sie auch interessieren" heading. */
export const GERMAN_RELATED_TEASERS = `<!doctype html><html lang="de"><head><title>Neues Hallenbad öffnet im Herbst | Lokalzeitung</title></head><body>
<nav><a href="/">Start</a> <a href="/lokales">Lokales</a></nav>
<main><div class="article-wrapper">
<h1>Neues Hallenbad öffnet im Herbst</h1>
<p>Nach zwei Jahren Bauzeit soll das neue Hallenbad in der Weststadt im Oktober eröffnen. Die Kosten liegen mit 18 Millionen Euro leicht über der ursprünglichen Planung, teilte die Stadtverwaltung mit.</p>
<p>Das Bad erhält ein 25-Meter-Becken mit sechs Bahnen, ein Lehrschwimmbecken mit Hubboden und eine kleine Sauna. Schulen und Vereine sollen vormittags und am frühen Abend feste Zeiten bekommen.</p>
<p>Das alte Hallenbad am Bahnhof wird nach der Eröffnung abgerissen. Auf dem Gelände sind Wohnungen geplant, darunter rund 40 Sozialwohnungen.</p>
<h2>Das könnte Sie auch interessieren</h2>
<p><a href="/a1">Freibad-Saison endet mit Besucherrekord:</a> Mehr als 120.000 Gäste kamen in diesem Sommer ins Freibad am Stadtpark, so viele wie seit zehn Jahren nicht mehr.</p>
<p><a href="/a2">Neuer Schulentwicklungsplan:</a> Bis 2030 sollen drei Grundschulen erweitert und eine neue Gesamtschule im Norden der Stadt gebaut werden.</p>
</div></main>
<footer>© Lokalzeitung</footer></body></html>`;

export const GERMAN_RELATED_TEASERS_TEXT = [
  "Nach zwei Jahren Bauzeit soll das neue Hallenbad in der Weststadt im Oktober eröffnen. Die Kosten liegen mit 18 Millionen Euro leicht über der ursprünglichen Planung, teilte die Stadtverwaltung mit.",
  "Das Bad erhält ein 25-Meter-Becken mit sechs Bahnen, ein Lehrschwimmbecken mit Hubboden und eine kleine Sauna. Schulen und Vereine sollen vormittags und am frühen Abend feste Zeiten bekommen.",
  "Das alte Hallenbad am Bahnhof wird nach der Eröffnung abgerissen. Auf dem Gelände sind Wohnungen geplant, darunter rund 40 Sozialwohnungen.",
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

/** A thread of WoltLab Burning Board 5: each post an <article> in a list item, with the author's sidebar and a signature. */
export const WBB_THREAD = `<!DOCTYPE html><html dir="ltr" lang="de"><head><title>Welche Bodenplatte für Gartenhaus? - Gartenforum</title></head><body id="tpl_wbb_thread" data-template="thread" data-application="wbb">
<div id="pageContainer" class="pageContainer"><div class="pageHeaderContainer"><header id="pageHeader" class="pageHeader"><div id="pageHeaderLogo" class="pageHeaderLogo"><a href="/"><img src="/logo.png" alt=""></a></div><nav id="topMenu" class="userPanel"><ul class="userPanelItems"><li><a href="/login/">Anmelden oder registrieren</a></li></ul></nav><div class="mainMenu"><ul class="boxMenu"><li><a href="/dashboard/">Dashboard</a></li><li class="active"><a href="/forum/">Forum</a></li><li><a href="/lexicon/">Lexikon</a></li></ul></div></header></div>
<section id="main" class="main" role="main"><div class="layoutBoundary"><div id="content" class="content">
<header class="contentHeader messageGroupContentHeader wbbThread"><div class="contentHeaderTitle"><h1 class="contentTitle">Welche Bodenplatte für Gartenhaus?</h1><ul class="inlineList contentHeaderMetaData"><li><a href="/user/12-gartenfreund/" class="userLink">gartenfreund</a></li><li><a href="/thread/345/"><time datetime="2021-04-03T09:12:00+02:00" class="datetime">3. April 2021</time></a></li></ul></div></header>
<div class="section"><ul class="wbbThreadPostList messageList jsClipboardContainer">
<li id="post1001"><article class="wbbPost message messageSidebarOrientationLeft jsClipboardObject" data-post-id="1001">
<aside role="presentation" class="messageSidebar member"><div class="messageAuthor"><div class="userAvatar"><a href="/user/12/"><img src="/a.png" alt=""></a></div><div class="messageAuthorContainer"><a href="/user/12/" class="username userLink"><span>gartenfreund</span></a></div><div class="userTitle"><span class="badge userTitleBadge">Anfänger</span></div></div><div class="userCredits"><dl class="plain dataList"><dt><a href="/user-post-list/12/">Beiträge</a></dt><dd>14</dd></dl></div></aside>
<div class="messageContent"><header class="messageHeader"><div class="messageHeaderBox"><ul class="messageHeaderMetaData"><li><a href="/thread/345/?postID=1001#post1001" class="permalink messagePublicationTime"><time datetime="2021-04-03T09:12:00+02:00" class="datetime">3. April 2021</time></a></li></ul><ul class="messageStatus"></ul></div><ul class="messageQuickOptions"><li><a href="#" class="jsTooltip">#1</a></li></ul></header>
<div class="messageBody"><div class="messageText"><p>Hallo zusammen, ich möchte im Mai ein Gartenhaus aus Holz (3 x 4 Meter) aufstellen. Reicht dafür ein Punktfundament, oder brauche ich eine durchgehende Bodenplatte aus Beton?</p><p>Der Boden ist lehmig und im Frühjahr oft nass.</p></div></div>
<footer class="messageFooter"><div class="messageFooterNotes"><p class="messageFooterNote wbbPostEditNote">Dieser Beitrag wurde bereits 1 Mal editiert, zuletzt von gartenfreund (3. April 2021).</p></div><div class="messageFooterGroup"><ul class="messageFooterButtons buttonList smallButtons jsMobileNavigation"><li><a href="#" class="button jsQuoteMessage"><span>Zitieren</span></a></li></ul></div></footer></div></article></li>
<li id="post1002"><article class="wbbPost message messageSidebarOrientationLeft jsClipboardObject" data-post-id="1002">
<aside role="presentation" class="messageSidebar member"><div class="messageAuthor"><div class="messageAuthorContainer"><a href="/user/7/" class="username userLink"><span>Holzwurm</span></a></div><div class="userTitle"><span class="badge userTitleBadge">Profi</span></div></div><div class="userCredits"><dl class="plain dataList"><dt><a href="/user-post-list/7/">Beiträge</a></dt><dd>2.341</dd></dl></div></aside>
<div class="messageContent"><header class="messageHeader"><div class="messageHeaderBox"><ul class="messageHeaderMetaData"><li><a href="/thread/345/?postID=1002#post1002" class="permalink messagePublicationTime"><time datetime="2021-04-03T10:40:00+02:00" class="datetime">3. April 2021</time></a></li></ul></div></header>
<div class="messageBody"><div class="messageText"><p>Bei lehmigem Boden würde ich zu Punktfundamenten raten, die frostfrei gegründet sind, also etwa 80 Zentimeter tief. Eine Platte ohne Drainage staut dir das Wasser unter dem Haus.</p><p>Wichtig ist eine Unterlüftung des Holzbodens.</p></div><div class="messageSignature"><div><p>Wer Holz hackt, wird zweimal warm.</p></div></div></div>
<footer class="messageFooter"><div class="messageFooterGroup"><ul class="messageFooterButtons buttonList smallButtons"><li><a href="#" class="button jsQuoteMessage"><span>Zitieren</span></a></li></ul></div></footer></div></article></li>
</ul></div>
<div class="section relatedThreads"><h2 class="sectionTitle">Ähnliche Themen</h2><ul><li><a href="/thread/12/">Fundament für Gewächshaus</a></li><li><a href="/thread/99/">Gartenhaus streichen – welche Lasur?</a></li></ul></div>
</div></div></section>
<footer id="pageFooter" class="pageFooter"><div class="boxesFooter"><div class="layoutBoundary"><div class="copyright"><a href="https://www.woltlab.com">Forensoftware: <strong>Burning Board®</strong></a></div></div></div></footer></div></body></html>`;
export const WBB_THREAD_TEXT = [
  "Hallo zusammen, ich möchte im Mai ein Gartenhaus aus Holz (3 x 4 Meter) aufstellen. Reicht dafür ein Punktfundament, oder brauche ich eine durchgehende Bodenplatte aus Beton?",
  "Der Boden ist lehmig und im Frühjahr oft nass.",
  "Bei lehmigem Boden würde ich zu Punktfundamenten raten, die frostfrei gegründet sind, also etwa 80 Zentimeter tief. Eine Platte ohne Drainage staut dir das Wasser unter dem Haus.",
  "Wichtig ist eine Unterlüftung des Holzbodens.",
].join("\n\n");

/** A Joomla 3 article: its details list (author, category, date, hits) above the body, print and e-mail icons, the pager. */
export const JOOMLA_ARTICLE = `<!DOCTYPE html><html lang="de-de"><head><title>Sommerfest 2019 - Förderverein Grundschule Am Park</title></head><body class="site com_content view-article no-layout no-task itemid-112">
<div class="body"><div class="container"><header class="header" role="banner"><div class="header-inner clearfix"><a class="brand pull-left" href="/"><span class="site-title">Förderverein Grundschule Am Park</span></a></div></header>
<nav class="navigation" role="navigation"><ul class="nav menu nav-pills"><li class="item-101"><a href="/">Home</a></li><li class="item-112 current active"><a href="/aktuelles">Aktuelles</a></li><li class="item-113"><a href="/mitglied-werden">Mitglied werden</a></li></ul></nav>
<div class="row-fluid"><main id="content" role="main" class="span9">
<div id="system-message-container"></div>
<div class="item-page" itemscope itemtype="https://schema.org/Article"><meta itemprop="inLanguage" content="de-DE" />
<div class="page-header"><h2 itemprop="headline">Sommerfest 2019</h2></div>
<div class="icons"><div class="btn-group pull-right"><a class="btn dropdown-toggle" data-toggle="dropdown" href="#"><span class="icon-cog"></span><span class="caret"></span></a><ul class="dropdown-menu"><li class="print-icon"><a href="/aktuelles/12-sommerfest?tmpl=component&amp;print=1" title="Eintrag ausdrucken">Drucken</a></li><li class="email-icon"><a href="/component/mailto/?tmpl=component" title="Link einem Freund via E-Mail senden">E-Mail</a></li></ul></div></div>
<dl class="article-info muted"><dt class="article-info-term">Details</dt><dd class="createdby" itemprop="author" itemscope itemtype="https://schema.org/Person">Geschrieben von <span itemprop="name">Petra Schulz</span></dd><dd class="category-name">Kategorie: <a href="/aktuelles" itemprop="genre">Aktuelles</a></dd><dd class="published"><span class="icon-calendar"></span><time datetime="2019-07-02T10:12:00+00:00" itemprop="datePublished">Veröffentlicht: 02. Juli 2019</time></dd><dd class="hits"><span class="icon-eye-open"></span><meta itemprop="interactionCount" content="UserPageVisits:1234" />Zugriffe: 1234</dd></dl>
<div itemprop="articleBody"><p>Bei strahlendem Sonnenschein feierten am vergangenen Samstag rund 400 Kinder, Eltern und Lehrkräfte unser Sommerfest auf dem Schulhof.</p>
<p>Die Klassen hatten Spielstationen vorbereitet, der Chor sang Lieder aus dem Musical, und am Kuchenbuffet wurden über 60 gespendete Kuchen verkauft. Der Erlös von 1.850 Euro fließt in neue Spielgeräte für die Pause.</p>
<p>Wir danken allen Helferinnen und Helfern herzlich!</p></div>
<ul class="pager pagenav"><li class="previous"><a class="hasTooltip" title="Elternabend" href="/aktuelles/11-elternabend" rel="prev"><span class="icon-chevron-left"></span> Zurück</a></li><li class="next"><a class="hasTooltip" title="Bücherflohmarkt" href="/aktuelles/13-buecherflohmarkt" rel="next">Weiter <span class="icon-chevron-right"></span></a></li></ul>
</div></main>
<div id="aside" class="span3"><div class="well "><h3 class="page-header">Termine</h3><ul class="latestnews"><li><a href="/t/1">Elternabend 4b</a></li><li><a href="/t/2">Bücherflohmarkt</a></li></ul></div></div></div></div></div>
<footer class="footer" role="contentinfo"><div class="container"><hr /><p class="pull-right"><a href="#top" id="back-top">Nach oben</a></p><p>&copy; 2019 Förderverein Grundschule Am Park</p></div></footer></body></html>`;
export const JOOMLA_ARTICLE_TEXT = [
  "Bei strahlendem Sonnenschein feierten am vergangenen Samstag rund 400 Kinder, Eltern und Lehrkräfte unser Sommerfest auf dem Schulhof.",
  "Die Klassen hatten Spielstationen vorbereitet, der Chor sang Lieder aus dem Musical, und am Kuchenbuffet wurden über 60 gespendete Kuchen verkauft. Der Erlös von 1.850 Euro fließt in neue Spielgeräte für die Pause.",
  "Wir danken allen Helferinnen und Helfern herzlich!",
].join("\n\n");

/** A thread of Discuz! X3: each post a table of the poster's column and the message, whose lines end in <br>; a signature row. */
export const DISCUZ_THREAD = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>新手求助：多肉植物冬天怎么浇水？ - 多肉植物 - 花草论坛 - Powered by Discuz!</title></head><body id="nv_forum" class="pg_viewthread">
<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="/">设为首页</a><a href="/">收藏本站</a></div><div class="y"><a href="member.php?mod=register">立即注册</a> <a href="member.php?mod=logging">登录</a></div></div></div>
<div id="hd"><div class="wp"><div class="hdc cl"><h2><a href="/" title="花草论坛"><img src="logo.png" alt="花草论坛"></a></h2></div><div id="nv"><ul><li><a href="portal.php">门户</a></li><li class="a"><a href="forum.php">论坛</a></li><li><a href="group.php">群组</a></li></ul></div></div></div>
<div id="wp" class="wp"><div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm" title="首页">花草论坛</a> <em>&rsaquo;</em> <a href="forum.php">论坛</a> <em>&rsaquo;</em> <a href="forum-12-1.html">多肉植物</a></div></div>
<div id="ct" class="wp cl"><div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">1523</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">2</span></div></td><td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">新手求助：多肉植物冬天怎么浇水？</span></h1></td></tr></table>
<div id="post_1001"><table id="pid1001" class="plhin" summary="pid1001" cellspacing="0" cellpadding="0"><tr><td class="pls" rowspan="2"><div class="pi"><div class="authi"><a href="space-uid-55.html" class="xw1">小绿</a></div></div><div class="p_pop blk bui card_gender_0"><dl class="cl"><dt>积分</dt><dd>36</dd></dl></div></td>
<td class="plc"><div class="pi"><strong><a href="#">楼主</a></strong><div class="pti"><div class="authi"><em id="authorposton1001">发表于 2020-11-20 21:03</em><span class="pipe">|</span><a href="#">只看该作者</a></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_1001">我家的多肉放在朝南的阳台上，最近气温降到五度左右。请问冬天应该多久浇一次水？是不是要等盆土完全干透再浇？<br />
我怕浇多了会烂根，浇少了叶子又会变软，大家平时都是怎么做的？</td></tr></table></div></div></div></td></tr>
<tr><td class="plc plm"><div class="sign">养花就是养心情</div></td></tr></table></div>
<div id="post_1002"><table id="pid1002" class="plhin" summary="pid1002" cellspacing="0" cellpadding="0"><tr><td class="pls" rowspan="2"><div class="pi"><div class="authi"><a href="space-uid-8.html" class="xw1">老园丁</a></div></div><div class="p_pop blk bui card_gender_0"><dl class="cl"><dt>积分</dt><dd>5820</dd></dl></div></td>
<td class="plc"><div class="pi"><strong><a href="#">沙发</a></strong><div class="pti"><div class="authi"><em id="authorposton1002">发表于 2020-11-20 22:15</em></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_1002">五度以下就要控水了，大约两到三周浇一次，而且要在晴天的中午浇，让水分在夜里降温之前蒸发掉一部分。<br />
如果温度降到零度以下，最好搬进室内，停止浇水，等到春天再慢慢恢复。</td></tr></table></div></div></div></td></tr>
<tr><td class="plc plm"></td></tr></table></div>
</div></div></div>
<div id="ft" class="wp cl"><div id="flk" class="y"><p><a href="archiver/">Archiver</a><span class="pipe">|</span><a href="forum.php?mobile=yes">手机版</a></p></div><div id="frt"><p>Powered by <strong><a href="http://www.discuz.net" target="_blank">Discuz!</a></strong> <em>X3.4</em></p><p class="xs0">GMT+8, 2020-11-21 08:00</p></div></div></body></html>`;
export const DISCUZ_THREAD_TEXT = [
  "我家的多肉放在朝南的阳台上，最近气温降到五度左右。请问冬天应该多久浇一次水？是不是要等盆土完全干透再浇？\n我怕浇多了会烂根，浇少了叶子又会变软，大家平时都是怎么做的？",
  "五度以下就要控水了，大约两到三周浇一次，而且要在晴天的中午浇，让水分在夜里降温之前蒸发掉一部分。\n如果温度降到零度以下，最好搬进室内，停止浇水，等到春天再慢慢恢复。",
].join("\n\n");

/** A topic of Invision Community (IPS): each post an <article> whose classes say "comment" (ipsComment), with the author pane beside it. */
export const IPS_TOPIC = `<!DOCTYPE html><html lang="de-DE"><head><title>Reifendruck beim Wohnwagen - Technik - Camping-Forum</title></head><body class="ipsApp ipsApp_front">
<div id="ipsLayout_header"><header><div class="ipsLayout_container"><a href="/" id="elLogo">Camping-Forum</a><ul id="elUserNav"><li><a href="/login/">Anmelden</a></li><li><a href="/register/">Registrieren</a></li></ul></div></header><nav><ul class="ipsNavBar_primary"><li><a href="/forum/">Forum</a></li><li><a href="/gallery/">Galerie</a></li></ul></nav></div>
<main id="ipsLayout_body"><div id="ipsLayout_contentArea"><div id="ipsLayout_contentWrapper"><div id="ipsLayout_mainArea">
<div class="ipsPageHeader ipsBox"><h1 class="ipsType_pageTitle">Reifendruck beim Wohnwagen</h1><div class="ipsPageHeader__meta">Von <a href="/profile/3-ralf/">Ralf</a>, 14. Juni 2022 in <a href="/forum/7-technik/">Technik</a></div></div>
<div class="cTopic ipsClear ipsSpacer_top">
<article id="elComment_5001" class="cPost ipsBox ipsResponsive_pull ipsComment ipsComment_parent ipsClearfix ipsClear ipsColumns ipsColumns_noSpacing ipsColumns_collapsePhone">
<aside class="ipsComment_author cAuthorPane ipsColumn ipsColumn_medium"><h3 class="ipsType_sectionHead cAuthorPane_author"><strong><a href="/profile/3-ralf/">Ralf</a></strong></h3><ul class="cAuthorPane_info ipsList_reset"><li class="ipsType_light">Mitglied</li><li class="ipsType_light">143 Beiträge</li></ul></aside>
<div class="ipsColumn ipsColumn_fluid ipsMargin:none"><div id="comment-5001_wrap" data-controller="core.front.core.comment" class="ipsComment_content ipsType_medium"><div class="ipsComment_meta ipsType_light ipsFlex"><p class="ipsType_reset ipsType_blendLinks"><a href="#"><time datetime="2022-06-14T07:12:00Z">14. Juni 2022</time></a></p></div>
<div class="cPost_contentWrap"><div data-role="commentContent" class="ipsType_normal ipsType_richText ipsPadding_bottom ipsContained"><p>Hallo, welchen Reifendruck fahrt ihr bei einem Wohnwagen mit 1.500 kg zulässigem Gesamtgewicht? Auf dem Typenschild stehen 3,3 bar, das kommt mir sehr hoch vor.</p></div>
<div data-role="memberSignature" class="ipsResponsive_hidePhone"><div class="ipsType_light ipsType_richText"><p>Unterwegs mit Hobby 460 und viel Kaffee.</p></div></div></div></div></div></article>
<article id="elComment_5002" class="cPost ipsBox ipsResponsive_pull ipsComment ipsComment_parent ipsClearfix ipsClear ipsColumns ipsColumns_noSpacing ipsColumns_collapsePhone">
<aside class="ipsComment_author cAuthorPane ipsColumn ipsColumn_medium"><h3 class="ipsType_sectionHead cAuthorPane_author"><strong><a href="/profile/9-bernd/">Bernd</a></strong></h3><ul class="cAuthorPane_info ipsList_reset"><li class="ipsType_light">Experte</li><li class="ipsType_light">4.012 Beiträge</li></ul></aside>
<div class="ipsColumn ipsColumn_fluid ipsMargin:none"><div id="comment-5002_wrap" class="ipsComment_content ipsType_medium"><div class="ipsComment_meta ipsType_light ipsFlex"><p class="ipsType_reset"><a href="#"><time datetime="2022-06-14T08:40:00Z">14. Juni 2022</time></a></p></div>
<div class="cPost_contentWrap"><div data-role="commentContent" class="ipsType_normal ipsType_richText ipsPadding_bottom ipsContained"><p>Der Wert auf dem Typenschild gilt für die volle Beladung. Ich fahre meinen Wohnwagen mit 3,0 bar und habe nach vier Jahren ein gleichmäßiges Reifenbild.</p><p>Wichtig ist, den Druck im kalten Zustand zu messen.</p></div></div></div></div></article>
</div></div></div></div></main>
<footer id="ipsLayout_footer"><p id="elCopyright"><a href="https://invisioncommunity.com">Powered by Invision Community</a></p></footer></body></html>`;
