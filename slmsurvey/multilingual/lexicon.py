"""A small hand-checked parallel lexicon: one meaning, one word per language.

The book needs text in several languages without downloading anything. This
module holds the numbers one to ten and twelve common nouns in thirteen
languages that espeak-ng speaks with its own rules (see
:data:`slmsurvey.speech.LANGUAGES`). Each row is a *meaning* (an English gloss
such as ``"three"``), each column a language code that is also an espeak-ng
voice. A spoken-word task whose class is the meaning ("three" = "drei" =
"trois") then has one label set for every language, so one classifier can
serve them all and transfer between them.

Only common citation forms are listed: numbers as counted ("eins" in German,
"één" in Dutch, "ett" in Swedish, "um" in Portuguese), nouns in the singular
without an article. Spanish "pez" is the living fish (the food is
"pescado"); Indonesian "air" means water.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["LEXICON", "LEXICON_LANGUAGES", "NOUNS", "NUMBERS", "lexicon_words"]

LEXICON_LANGUAGES = (
    "en", "de", "nl", "sv", "fr", "es", "it", "pt", "fi", "sw", "tr", "id", "ru",
)  # fmt: skip
"""The lexicon's languages, as espeak-ng voice codes."""

# One row per meaning, columns in the order of LEXICON_LANGUAGES.
_ROWS = {
    "one": "one eins één ett un uno uno um yksi moja bir satu один",
    "two": "two zwei twee två deux dos due dois kaksi mbili iki dua два",
    "three": "three drei drie tre trois tres tre três kolme tatu üç tiga три",
    "four": "four vier vier fyra quatre cuatro quattro quatro neljä nne dört "
    "empat четыре",
    "five": "five fünf vijf fem cinq cinco cinque cinco viisi tano beş lima пять",
    "six": "six sechs zes sex six seis sei seis kuusi sita altı enam шесть",
    "seven": "seven sieben zeven sju sept siete sette sete seitsemän saba yedi "
    "tujuh семь",
    "eight": "eight acht acht åtta huit ocho otto oito kahdeksan nane sekiz "
    "delapan восемь",
    "nine": "nine neun negen nio neuf nueve nove nove yhdeksän tisa dokuz "
    "sembilan девять",
    "ten": "ten zehn tien tio dix diez dieci dez kymmenen kumi on sepuluh десять",
    "water": "water Wasser water vatten eau agua acqua água vesi maji su air вода",
    "house": "house Haus huis hus maison casa casa casa talo nyumba ev rumah дом",
    "dog": "dog Hund hond hund chien perro cane cão koira mbwa köpek anjing собака",
    "cat": "cat Katze kat katt chat gato gatto gato kissa paka kedi kucing кошка",
    "sun": "sun Sonne zon sol soleil sol sole sol aurinko jua güneş matahari солнце",
    "day": "day Tag dag dag jour día giorno dia päivä siku gün hari день",
    "night": "night Nacht nacht natt nuit noche notte noite yö usiku gece malam ночь",
    "book": "book Buch boek bok livre libro libro livro kirja kitabu kitap buku книга",
    "bread": "bread Brot brood bröd pain pan pane pão leipä mkate ekmek roti хлеб",
    "fish": "fish Fisch vis fisk poisson pez pesce peixe kala samaki balık ikan рыба",
    "tree": "tree Baum boom träd arbre árbol albero árvore puu mti ağaç pohon дерево",
    "milk": "milk Milch melk mjölk lait leche latte leite maito maziwa süt susu молоко",
}


def _build() -> dict[str, dict[str, str]]:
    table = {}
    for meaning, row in _ROWS.items():
        words = row.split()
        assert len(words) == len(LEXICON_LANGUAGES), meaning  # internal invariant
        table[meaning] = MappingProxyType(
            dict(zip(LEXICON_LANGUAGES, words, strict=True))
        )
    return table


LEXICON = MappingProxyType(_build())
"""Meaning (English gloss) -> language code -> word; read-only."""

NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight",
           "nine", "ten")  # fmt: skip
"""The meanings that are numbers, in order."""

NOUNS = tuple(m for m in LEXICON if m not in NUMBERS)
"""The meanings that are common nouns."""


def lexicon_words(language: str, meanings: tuple[str, ...] | None = None) -> list[str]:
    """The words of one language, in the order of ``meanings``.

    Parameters
    ----------
    language : str
        A code from :data:`LEXICON_LANGUAGES`.
    meanings : tuple of str, optional
        Keys of :data:`LEXICON`; default all of them (numbers, then nouns).

    Returns
    -------
    list of str

    Examples
    --------
    >>> lexicon_words("de", NUMBERS[:3])
    ['eins', 'zwei', 'drei']
    >>> lexicon_words("sw", ("water", "dog"))
    ['maji', 'mbwa']
    """
    if not isinstance(language, str):
        raise TypeError(f"language must be a str, got {type(language).__name__}")
    if language not in LEXICON_LANGUAGES:
        raise ValueError(
            f"language must be one of {LEXICON_LANGUAGES}, got {language!r}"
        )
    chosen = tuple(LEXICON) if meanings is None else tuple(meanings)
    unknown = [m for m in chosen if m not in LEXICON]
    if unknown or not chosen:
        raise ValueError(f"meanings must be non-empty keys of LEXICON, got {unknown}")
    return [LEXICON[m][language] for m in chosen]
