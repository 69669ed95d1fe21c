"""Dutch and English stop words (plus spoken fillers) for topic representations and the lexical backend.

Interview speech repeats function words and fillers ("eh", "nou", "gewoon"); without this list every
topic's top words are "de het en". English comes from scikit-learn, Dutch is written out here.
"""

from __future__ import annotations

from functools import cache

DUTCH = """
aan aangezien achter af al alle allebei alleen alles als alsof altijd ander andere anders
ben beetje best bij bijna binnen boven bovendien daar daarbij daardoor daarin daarna daarom daarvan dan
dat de deze die dik dit doch doe doen doet door dus echt een eens eigenlijk en enig enige er erg ergens
even eh ehm ge geen geweest gewoon had hadden heb hebben hebt heeft hele heel hem hen het hier hij hoe
hoeveel hun iemand iets ik in is ja je jij jou jouw jullie kan kon konden kun kunnen kunt laat laten
later maar me meer meest men met mij mijn misschien moet moeten mogen na naar nee net niet niets nog
nogal nou nu of om omdat onder ons onze ook op over precies qua redelijk sommige soms soort staat
steeds te tegen toch toe tot tussen uit uw van veel verder via vind vinden voor vooral vrij waar
waarom wanneer want waren was wat we wel welk welke werd werden wie wij wil willen word worden wordt
zal ze zelf zeg zeggen zegt zei zelfs zich zij zijn zo zoals zodat zou zouden zullen zo'n zeker
a b c d e f g h i j k l m n o p q r s t u v w x y z
"""

SPOKEN_ENGLISH = "yeah okay ok um uh er erm like really just"


@cache
def stop_words() -> list[str]:
    """Dutch + English stop words, sorted (a list, as scikit-learn's vectorizers want)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(set(DUTCH.split()) | set(SPOKEN_ENGLISH.split()) | set(ENGLISH_STOP_WORDS))
