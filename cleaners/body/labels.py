"""Localised labels of boilerplate blocks, in one table.

Each label is what such a block shows as a *whole line* (a widget heading, a share-bar
caption, an ad label). They are matched against whole short lines only, never as
substrings: "lire aussi" and "populaire" occur in real prose.

Languages: fr, en, de, es, it, pt, pl, uk, ru; the commonest labels also in nl, sv, da, nb,
cs, tr, zh, ja, ko. Compare with ``label_key``.
"""

from __future__ import annotations

import re

# The tables keep several labels of one language per line.
# fmt: off
# Titles of "related / recommended articles" blocks. After article text, such a title
# followed by a list of titles and truncated teasers starts the tail to cut.
RELATED_TITLES: frozenset[str] = frozenset(
    {
        # fr
        "plus comme ça", "lire aussi", "à lire aussi", "a lire aussi", "lire également",
        "à lire également", "voir aussi", "sur le même sujet", "sur le même thème",
        "dans la même rubrique", "dans le même dossier", "articles similaires", "similaire",
        "articles liés", "articles connexes", "vous aimerez aussi", "vous pourriez aussi aimer",
        "vous aimerez peut-être aussi", "à découvrir aussi", "plus de l'auteur",
        "articles connexesplus de l'auteur", "dernières actualités", "à la une",
        # en
        "more like this", "related articles", "related posts", "related stories", "related",
        "read more", "read also", "see also", "you may also like", "you might also like",
        "more from author", "related articlesmore from author", "more stories",
        "recommended for you", "latest news", "recent stories", "more news",
        # de
        "mehr dazu", "mehr zum thema", "ähnliche artikel", "das könnte sie auch interessieren",
        "lesen sie auch", "auch interessant", "verwandte artikel", "mehr vom autor",
        "verwandte artikelmehr vom autor", "weitere artikel",
        # es
        "artículos relacionados", "noticias relacionadas", "te puede interesar",
        "también te puede interesar", "lee también", "más noticias", "más como esto",
        "artículos relacionadosmás del autor",
        # it
        "articoli correlati", "potrebbe interessarti", "leggi anche", "ti potrebbe interessare",
        "altre notizie", "articoli correlatialtro dall'autore",
        # pt
        "artigos relacionados", "leia também", "veja também", "você também pode gostar",
        "mais notícias", "notícias relacionadas",
        # pl
        "podobne artykuły", "czytaj także", "czytaj też", "zobacz też", "zobacz także",
        "powiązane artykuły", "więcej podobnych",
        # uk
        "більше схожих", "читайте також", "схожі статті", "схожі новини", "по темі",
        "більше новин",
        # ru
        "читайте также", "похожие статьи", "ещё по теме", "еще по теме", "по теме",
        "больше похожих", "похожие новости",
        # nl, sv, da, nb, cs, tr
        "lees ook", "gerelateerde artikelen", "meer nieuws", "läs också", "relaterade artiklar",
        "læs også", "relaterede artikler", "les også", "relaterte artikler", "čtěte také",
        "související články", "ilgili haberler", "benzer haberler",
        # zh, ja, ko
        "相关阅读", "相关新闻", "相关文章", "延伸阅读", "相關閱讀", "相關新聞", "關聯閱讀",
        "関連記事", "関連ニュース", "あわせて読みたい", "관련기사", "관련 기사", "함께 볼만한 뉴스",
    }
)

# Captions of share bars, popularity widgets, ad slots, comment forms, navigation, tag
# lists and login boxes: dropped wherever they stand as a whole line.
CHROME_LABELS: frozenset[str] = frozenset(
    {
        # fr
        "partager", "partager cette publication", "partager cet article", "partager sur facebook",
        "partager sur x", "partager sur twitter", "partagez", "populaire", "les plus lus",
        "articles les plus lus", "tendances", "les plus populaires", "publicité",
        "passer la publicité", "laisser un commentaire", "laisser une réponse",
        "annuler la réponse", "commentaires", "article précédent", "article suivant",
        "les commentaires sont fermés.",
        "mots-clés", "étiquettes", "tags", "connexion", "suivez-nous", "newsletter",
        "sommaire", "table des matières", "dans cet article",
        "inscrivez-vous à notre newsletter", "charger plus",
        # en
        "share", "share this", "share this article", "share on facebook", "popular",
        "popular posts", "trending", "trending now", "most read", "most popular",
        "advertisement", "sponsored", "leave a reply", "leave a reply cancel reply",
        "cancel reply", "leave a comment", "comments", "previous article", "next article",
        "topics", "follow us", "subscribe", "load more", "load comments", "loading comments...",
        "loading comments…", "comments are closed.", "want to join the discussion?",
        "feel free to contribute!", "more", "permalink", "loading...", "loading…",
        "loading content...", "loading content ...", "loading content…", "explore further",
        "like this story? share it with a friend!", "table of contents", "contents",
        "in this article", "on this page", "jump to", "jump to section",
        # de
        "teilen", "artikel teilen", "beliebt", "meistgelesen", "anzeige", "werbung",
        "vorheriger artikel", "nächster artikel", "schlagworte", "kommentare",
        "antwort hinterlassen", "hinterlasse eine antwort", "inhaltsverzeichnis",
        # es
        "compartir", "comparte", "populares", "lo más leído", "publicidad", "anuncio",
        "artículo anterior", "artículo siguiente", "etiquetas", "deja una respuesta",
        "cargar más", "índice", "tabla de contenidos", "contenidos",
        # it
        "condividi", "più letti", "popolari", "pubblicità", "articolo precedente",
        "articolo successivo", "lascia un commento", "lascia una risposta", "link permanente",
        "i commenti sono chiusi.", "indice dei contenuti",
        # pt
        "compartilhar", "partilhar", "mais lidas", "publicidade",  # "populares": see es
        "artigo anterior", "próximo artigo", "deixe um comentário", "deixe uma resposta",
        # pl
        "udostępnij", "popularne", "najczęściej czytane", "reklama", "poprzedni artykuł",
        "następny artykuł", "zostaw komentarz", "spis treści",
        # uk
        "поділитися", "популярне", "популярні", "найпопулярніше", "реклама",
        "попередня стаття", "наступна стаття", "залишити коментар", "теги", "коментарі", "зміст",
        # ru
        "поделиться", "популярное", "самое читаемое", "предыдущая статья",
        "следующая статья", "оставить комментарий", "комментарии", "метки", "содержание",
        # nl, sv, da, nb, cs, tr
        "delen", "deel dit artikel", "meest gelezen", "advertentie", "reacties", "dela",
        "mest lästa", "annons", "kommentarer", "del", "del artiklen", "mest læste", "annonce",
        "mest lest", "annonse", "sdílet", "nejčtenější", "komentáře", "paylaş", "en çok okunanlar",
        "reklam", "yorumlar",
        # zh, ja, ko
        "分享", "分享到", "热门文章", "热门新闻", "广告", "熱門新聞", "廣告",
        "シェア", "この記事をシェア", "アクセスランキング", "広告", "コメント", "공유하기",
        "많이 본 뉴스", "광고", "댓글",
    }
)

# fmt: on

# Parts of a dateline, in the languages of the label tables (case-folded).
_MONTH = (
    r"(?:jan|feb|fév|fev|febr|mar|mär|apr|avr|abr|may|mai|mag|maj|jun|juin|giu|jul|juil|lug"
    r"|aug|aoû|aou|ago|sep|set|oct|okt|ott|out|paź|nov|lis|dec|déc|dez|dic|gru|sty|lut|kwi"
    r"|cze|lip|sie|wrz)[a-zéûäñ]*\.?"
)
_DATE = (
    rf"(?:\w+,? )?(?:{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|\.)? (?:de )?{_MONTH},? (?:de )?\d{{4}})"
)
_DATE_NUMERIC = r"\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}-\d{2}-\d{2}"
_TIME = r"\d{1,2}[:h.]\d{2}(?: ?[ap]\.?m\.?)?(?: [a-z]{2,4})?"
_DATE_PREFIX = (
    r"(?:published|updated|posted|last updated|publié|mis à jour|veröffentlicht|aktualisiert"
    r"|publicado|actualizado|pubblicato|aggiornato|atualizado|opublikowano)(?: on| le| am| el)?:?"
)

# Notices with a number or a variable part (paywall, comment counters), so patterns
# rather than a set. They are matched (``fullmatch``) against the ``label_key`` of lines
# up to ``MAX_NOTICE_LENGTH`` characters, so prose that talks about subscribers stays.
NOTICE = re.compile(
    "|".join(
        (
            # fr
            r"il vous reste \d+(?:[.,]\d+)? ?% de cet article à lire\.?"
            r"(?: la suite est réservée aux abonnés\.?)?",
            r"la suite est réservée aux abonnés\.?",
            r"(?:cet )?article réservé aux abonnés\.?",
            r"déjà abonné ?\?(?: se connecter| connectez-vous)?\.?",
            r"pour lire la suite(?: de cet article)?, abonnez-vous\.?",
            # en
            r"you have \d+ free articles? left(?: this month)?\.?",
            r"subscribe to continue reading\.?",
            r"this (?:article|story) is for subscribers only\.?",
            r"already a subscriber\? (?:log|sign) in\.?",
            # de, es, it
            r"dieser artikel ist nur für abonnenten\.?",
            r"este contenido es exclusivo para suscriptores\.?",
            r"questo articolo è riservato agli abbonati\.?",
            # comment counters
            r"\d+ (?:comments?|commentaires?|kommentare?|comentarios?|commenti|commento"
            r"|komentarz[ey]?|коментар(?:і|ів)?|комментари(?:й|я|ев))",
            # feedback prompts under an article
            r"(?:was|is) this (?:article|page|guide|post|story|information) (?:helpful|useful)"
            r" ?\??|cet article (?:vous )?a(?:-t-il)? été utile ?\??"
            r"|war (?:dieser|der) (?:artikel|beitrag) hilfreich ?\??"
            r"|¿?(?:te|le) ha resultado útil (?:este|el) artículo ?\??",
            # a dateline standing alone: "Published November 20th, 2019 - 07:29 GMT",
            # "20 Nov, 2019 05:47", "Nov. 20, 2019, 9:28 AM UTC"
            rf"(?:{_DATE_PREFIX} )?(?:{_DATE}|{_DATE_NUMERIC})(?:[ ,]*(?:at |à |-|–|—|\|)?"
            rf" ?{_TIME})?",
        )
    )
)
MAX_NOTICE_LENGTH = 200

# A label may carry decoration: "- Publicité -", "Partager cette publication :",
# "» Lire aussi", "POPULAIRE".
_DECORATION = " \t\u00a0\u202f\u3000-–—:：|•·»«›>*【】"

# Labels are short; longer lines are prose and skip the lookup entirely.
MAX_LABEL_LENGTH = max(map(len, RELATED_TITLES | CHROME_LABELS)) + 10


def label_key(line: str) -> str:
    """The form of a line that the label sets hold: trimmed of decoration, case-folded."""
    return " ".join(line.strip(_DECORATION).split()).casefold()
