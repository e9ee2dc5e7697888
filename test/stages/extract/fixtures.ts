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
