"""Hand-written news pages for the extraction tests: four languages, real-looking
boilerplate (navigation, cookie notice, related links, footer) around the article.

Every page is built by ``news_page`` so each test can vary one thing (charset,
canonical link, metadata) and keep the rest realistic.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["ARTICLES", "BOILERPLATE", "Article", "Boilerplate", "news_page"]


@dataclass(frozen=True)
class Article:
    lang: str
    title: str
    author: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


ARTICLES: dict[str, Article] = {
    "ru": Article(
        "ru",
        "В Бишкеке задержали главного редактора независимого издания",
        "Айгуль Сейтова",
        (
            "В Бишкеке сотрудники Государственного комитета национальной безопасности задержали "
            "главного редактора независимого интернет-издания «Ала-Тоо Ньюс» Данияра Касымова. Об "
            "этом сообщила его супруга, которая присутствовала при обыске в квартире журналиста.",
            "По ее словам, силовики пришли рано утром, изъяли ноутбуки, телефоны и жесткие диски, "
            "а также несколько блокнотов с рабочими записями. Самого Касымова доставили в "
            "следственный изолятор. Официальных обвинений на момент публикации ему не предъявлено.",
            "В пресс-службе ведомства подтвердили факт задержания, но отказались раскрывать "
            "подробности, сославшись на тайну следствия. Источник, знакомый с ходом дела, "
            "утверждает, что журналиста подозревают в «призывах к массовым беспорядкам» из-за "
            "серии публикаций о закупках топлива.",
            "Коллеги Касымова считают задержание местью за расследование, в котором издание "
            "проанализировало государственные контракты на сумму более двух миллиардов сомов. "
            "Представители международных организаций по защите свободы прессы призвали власти "
            "немедленно освободить редактора.",
            "Это уже третье задержание журналистов в стране с начала года. В январе по похожей "
            "статье были арестованы двое сотрудников другого независимого медиа, их дело до сих "
            "пор рассматривается в суде. Правозащитники отмечают, что давление на прессу в "
            "последние годы заметно усилилось.",
        ),
    ),
    "kk": Article(
        "kk",
        "Алматыда метроның жаңа бекеті ашылды",
        "Нұрлан Әбдіров",
        (
            "Алматы қаласында метрополитеннің жаңа «Сарыарқа» бекеті жолаушыларға есігін ашты. "
            "Салтанатты рәсімге қала әкімі мен құрылыс саласының өкілдері қатысты. Әкімдіктің "
            "мәліметінше, бекеттің құрылысы үш жылға созылған, оған республикалық және жергілікті "
            "бюджеттен қаржы бөлінген.",
            "Жаңа бекет қаланың батыс бөлігіндегі тұрғындар үшін үлкен жеңілдік болмақ. Бұрын бұл "
            "аудандан орталыққа жету үшін автобуспен бір сағаттай уақыт кететін. Енді жолаушылар "
            "бұл қашықтықты жиырма минутта еңсере алады. Метрополитен басшылығының айтуынша, күн "
            "сайын бекетті он бес мыңға жуық адам пайдаланады деп күтілуде.",
            "Құрылысшылар бекеттің сәулетіне ұлттық нақыштарды енгізген. Қабырғалар қазақтың "
            "дәстүрлі ою-өрнегімен безендірілген, ал төбеге жұлдызды аспанды бейнелейтін шамдар "
            "орнатылған. Мүмкіндігі шектеулі жандар үшін лифттер мен арнайы жолақтар "
            "қарастырылған.",
            "Қала әкімі өз сөзінде метро желісін кеңейту жұмыстары алдағы жылдары да "
            "жалғасатынын айтты. Оның сөзінше, келесі кезеңде тағы екі бекет салынады, ал "
            "жобаның толық аяқталуы 2027 жылға жоспарланған. Тұрғындар жаңалықты қуана қарсы "
            "алды, алайда кейбірі жол ақысының қымбаттауынан алаңдаулы екенін жасырмады.",
            "Сарапшылардың пікірінше, қоғамдық көлікті дамыту қаладағы кептелісті азайтып, "
            "ауаның ластануын төмендетуге көмектеседі. Алматы соңғы жылдары ауа сапасы жөнінен "
            "елдегі ең лас қалалардың бірі саналып келеді.",
        ),
    ),
    "ky": Article(
        "ky",
        "Бишкекте 1200 орундуу жаңы мектеп курулат",
        "Бакыт Өмүрзаков",
        (
            "Бишкек шаарынын Свердлов районунда 1200 орундуу жаңы мектептин курулушу башталды. "
            "Бул тууралуу шаардык мэриянын басма сөз кызматы кабарлады. Курулуш иштери эки "
            "жылга созулат жана ага шаардык бюджеттен каражат бөлүнгөн.",
            "Мэриянын маалыматы боюнча, акыркы жылдары борбор калаанын калкы тездик менен өсүп, "
            "мектептердеги класстар ашыкча толуп кеткен. Айрым мектептерде окуучулар үч нөөмөттө "
            "окууга аргасыз болушууда. Жаңы мектеп ушул көйгөйдү жарым-жартылай чечет деп "
            "күтүлүүдө.",
            "Долбоорго ылайык, мектепте заманбап спорт залы, китепкана, ашкана жана илимий "
            "лабораториялар болот. Ошондой эле ден соолугунун мүмкүнчүлүгү чектелген балдар "
            "үчүн атайын шарттар түзүлөт. Имараттын жанында футбол талаасы жана балдар "
            "аянтчасы курулат.",
            "Шаардын мэри салтанаттуу иш-чарада сүйлөп, мындан ары да жаңы билим берүү "
            "мекемелерин куруу уланарын айтты. Анын айтымында, быйыл дагы үч бала бакча ишке "
            "берилет. Ата-энелер жаңылыкты кубаныч менен кабыл алышты, бирок айрымдары курулуш "
            "мөөнөтү созулуп кетпесин деген тынчсыздануусун билдиришти.",
            "Адистердин пикиринде, билим берүү тармагына инвестиция салуу өлкөнүн келечеги үчүн "
            "эң маанилүү кадамдардын бири болуп саналат. Кыргызстанда мектеп курулушу акыркы "
            "жылдары мамлекеттик саясаттын артыкчылыктуу багыттарынын бирине айланды.",
        ),
    ),
    "en": Article(
        "en",
        "Kazakhstan raises fuel prices for the second time this year",
        "Daniel Morgan",
        (
            "Kazakhstan's energy ministry announced on Tuesday that retail prices for petrol and "
            "diesel will rise by an average of eight percent from next month, the second increase "
            "this year. The ministry said the change was needed to cover rising production costs "
            "and to reduce shortages at filling stations in the country's northern regions.",
            "Officials said the price of the most popular grade of petrol would go up to 245 "
            "tenge per litre, while diesel would cost 290 tenge. Liquefied gas, widely used by "
            "motorists in the south, will not be affected by the decision, according to the "
            "statement.",
            "The announcement drew immediate criticism from opposition politicians and consumer "
            "groups, who warned that higher fuel costs would feed into food prices at a time when "
            "inflation remains above the central bank's target. In January 2022, a sudden jump in "
            "gas prices sparked protests that spread across the country within days.",
            "Economists interviewed by local media said the government faces a difficult choice "
            "between keeping prices low and attracting investment into refineries, which have "
            "struggled with ageing equipment. The ministry promised to publish a detailed "
            "explanation of the new pricing formula later this week and said that targeted "
            "support would be offered to farmers during the sowing season.",
        ),
    ),
}

@dataclass(frozen=True)
class Boilerplate:
    """A site's chrome around the article; none of it may reach the extracted text."""

    site: str
    nav: tuple[str, ...]
    cookie: str
    related: str
    headlines: tuple[str, ...]
    footer: str

    def strings(self) -> tuple[str, ...]:
        """Every piece that must not leak (the site name may appear in a title)."""
        return (*self.nav, self.cookie, self.related, *self.headlines, self.footer,
                "Telegram", "WhatsApp")


BOILERPLATE: dict[str, Boilerplate] = {
    "ru": Boilerplate(
        site="Ала-Тоо Ньюс",
        nav=("Главная", "Политика", "Экономика", "Общество", "Происшествия", "В мире"),
        cookie="Мы используем файлы cookie, чтобы сайт работал лучше. Продолжая, вы соглашаетесь.",
        related="Читайте также",
        headlines=("Курс доллара на межбанке снова вырос до рекордной отметки",
                   "В Оше открылся новый крытый рынок на тысячу торговых мест",
                   "Погода на выходные: в столице ожидаются затяжные дожди"),
        footer="© 2024 Ала-Тоо Ньюс. Все права защищены. При использовании материалов "
               "гиперссылка на сайт обязательна. Редакция: ул. Киевская, 77.",
    ),
    "kk": Boilerplate(
        site="Жаңа Таң",
        nav=("Басты бет", "Саясат", "Экономика", "Қоғам", "Оқиға", "Әлем"),
        cookie="Біз сайттың жұмысын жақсарту үшін cookie файлдарын пайдаланамыз.",
        related="Тақырыпқа қатысты",
        headlines=("Теңге бағамы биржада тағы да әлсіреп кетті",
                   "Астанада жаңа саябақ тұрғындарға есігін ашты",
                   "Демалыс күндері ауа райы күрт салқындайды"),
        footer="© 2024 Жаңа Таң. Барлық құқықтар қорғалған. Материалдарды пайдаланғанда "
               "сайтқа сілтеме беру міндетті. Редакция мекенжайы: Абай даңғылы, 12.",
    ),
    "ky": Boilerplate(
        site="Ала-Тоо Маалымат",
        nav=("Башкы бет", "Саясат", "Экономика", "Коом", "Окуялар", "Дүйнө"),
        cookie="Биз сайттын иштешин жакшыртуу үчүн cookie файлдарын колдонобуз.",
        related="Окшош жаңылыктар",
        headlines=("Доллардын курсу кайрадан көтөрүлүп, рекорддук деңгээлге жетти",
                   "Ош шаарында миң орундуу жаңы жабык базар ачылды",
                   "Дем алыш күндөрү борбордо нөшөрлөп жамгыр жаайт"),
        footer="© 2024 Ала-Тоо Маалымат. Бардык укуктар корголгон. Материалдарды "
               "колдонууда шилтеме милдеттүү. Редакциянын дареги: Киев көчөсү, 77.",
    ),
    "en": Boilerplate(
        site="Steppe Wire",
        nav=("Home", "Politics", "Business", "Society", "Incidents", "World"),
        cookie="We use cookies to make this site work better. By continuing you agree.",
        related="Related stories",
        headlines=("Tenge slides to a record low against the dollar",
                   "New covered market with a thousand stalls opens in Osh",
                   "Weekend weather: prolonged rain expected in the capital"),
        footer="© 2024 Steppe Wire. All rights reserved. Reproduction requires a "
               "hyperlink to the source. Newsroom: 77 Kievskaya Street.",
    ),
}


def news_page(article: Article, *, url: str, charset: str | None = "utf-8",
              canonical: str | None = None, og_url: str | None = None,
              published: str = "2024-05-14T09:30:00+06:00", title: str | None = None,
              paragraphs: tuple[str, ...] | None = None) -> str:
    """A complete news page around ``article`` (HTML text; the test encodes it)."""
    bp = BOILERPLATE[article.lang]
    esc = html.escape
    head = [f'<meta charset="{charset}">' if charset else "",
            f"<title>{esc(title or article.title)} | {esc(bp.site)}</title>",
            f'<meta name="author" content="{esc(article.author)}">',
            f'<meta property="article:published_time" content="{published}">',
            f'<meta property="og:title" content="{esc(title or article.title)}">',
            '<meta property="og:type" content="article">']
    if canonical:
        head.append(f'<link rel="canonical" href="{esc(canonical)}">')
    if og_url:
        head.append(f'<meta property="og:url" content="{esc(og_url)}">')
    nav = "".join(f'<li><a href="/{i}/">{esc(item)}</a></li>' for i, item in enumerate(bp.nav))
    related = "".join(f'<li><a href="/news/{900 + i}.html">{esc(h)}</a></li>'
                      for i, h in enumerate(bp.headlines))
    body_paras = "\n".join(f"<p>{esc(p)}</p>" for p in (paragraphs or article.paragraphs))
    return f"""<!DOCTYPE html>
<html lang="{article.lang}">
<head>
{chr(10).join(h for h in head if h)}
<link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body>
<div class="cookie-banner" id="cookie-consent"><p>{esc(bp.cookie)}</p><button>OK</button></div>
<header class="site-header">
  <a class="logo" href="/">{esc(bp.site)}</a>
  <nav class="main-menu"><ul>{nav}</ul></nav>
</header>
<main>
  <article class="news-item">
    <h1>{esc(title or article.title)}</h1>
    <div class="byline"><span class="author">{esc(article.author)}</span>
      <time datetime="{published}">{published[:10]}</time></div>
    <div class="article-body">
{body_paras}
    </div>
    <div class="share"><a href="https://t.me/share">Telegram</a> <a href="https://wa.me/">WhatsApp</a></div>
  </article>
  <aside class="related-news">
    <h2>{esc(bp.related)}</h2>
    <ul>{related}</ul>
  </aside>
</main>
<footer class="site-footer"><p>{esc(bp.footer)}</p>
  <ul><li><a href="/about">About</a></li><li><a href="/ads">Advertising</a></li></ul></footer>
</body>
</html>
"""
