"""The country a news dateline names: "BAKU, AZERTAC." -> Azerbaijan.

A small gazetteer of the capitals and the cities that datelines of news about the OSCE carry
(the 57 participating States and the places where it works), written by the team.  A dateline
whose place is not listed has no country: the report says "unknown" rather than guess.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["country_of"]

_CITIES = {
    "Albania": "Tirana Durres Shkoder Vlore",
    "Andorra": "Andorra la Vella",
    "Armenia": "Yerevan Gyumri Vanadzor",
    "Austria": "Vienna Salzburg Graz Innsbruck Linz",
    "Azerbaijan": "Baku Ganja Sumgait Shusha Nakhchivan",
    "Belarus": "Minsk Brest Grodno Gomel Vitebsk Mogilev",
    "Belgium": "Brussels Antwerp",
    "Bosnia and Herzegovina": "Sarajevo Banja Luka Mostar Tuzla Brcko Srebrenica",
    "Bulgaria": "Sofia Plovdiv Varna",
    "Canada": "Ottawa Toronto Montreal",
    "Croatia": "Zagreb Split Vukovar",
    "Cyprus": "Nicosia",
    "Czechia": "Prague Brno",
    "Denmark": "Copenhagen",
    "Estonia": "Tallinn Tartu Narva",
    "Finland": "Helsinki",
    "France": "Paris Strasbourg Marseille Lyon",
    "Georgia": "Tbilisi Batumi Kutaisi Gori Sukhumi Tskhinvali",
    "Germany": "Berlin Bonn Hamburg Munich Frankfurt",
    "Greece": "Athens Thessaloniki Corfu Mytilene",
    "Holy See": "Vatican City",
    "Hungary": "Budapest",
    "Iceland": "Reykjavik",
    "Ireland": "Dublin",
    "Italy": "Rome Milan Palermo Naples",
    "Kazakhstan": "Astana Nur-Sultan Almaty Shymkent Karaganda Aktobe Atyrau Oral Aktau",
    "Kosovo": "Pristina Prishtina Mitrovica Prizren Vushtrri",
    "Kyrgyzstan": "Bishkek Osh Jalal-Abad Karakol",
    "Latvia": "Riga",
    "Liechtenstein": "Vaduz",
    "Lithuania": "Vilnius Kaunas",
    "Luxembourg": "Luxembourg",
    "Malta": "Valletta",
    "Moldova": "Chisinau Kishinev Balti Comrat Tiraspol",
    "Monaco": "Monaco",
    "Mongolia": "Ulaanbaatar Ulan Bator",
    "Montenegro": "Podgorica Cetinje",
    "Netherlands": "The Hague Amsterdam Rotterdam",
    "North Macedonia": "Skopje Tetovo Ohrid",
    "Norway": "Oslo",
    "Poland": "Warsaw Krakow Gdansk",
    "Portugal": "Lisbon Porto",
    "Romania": "Bucharest Cluj-Napoca",
    "Russia": "Moscow St Petersburg St. Petersburg Saint Petersburg Grozny Khasavyurt Rostov-on-Don Kaliningrad Kazan Sochi",
    "San Marino": "San Marino",
    "Serbia": "Belgrade Novi Sad Nis",
    "Slovakia": "Bratislava Kosice",
    "Slovenia": "Ljubljana",
    "Spain": "Madrid Barcelona",
    "Sweden": "Stockholm",
    "Switzerland": "Bern Geneva Zurich Basel Lausanne",
    "Tajikistan": "Dushanbe Khujand Khorog Kulob",
    "Turkey": "Ankara Istanbul Izmir",
    "Turkmenistan": "Ashgabat Ashkhabad Turkmenbashi Mary",
    "Ukraine": "Kyiv Kiev Kharkiv Odesa Odessa Lviv Donetsk Luhansk Mariupol Dnipro Kramatorsk Simferopol Bakhchisarai Sevastopol",
    "United Kingdom": "London Edinburgh Belfast",
    "United States": "Washington New York",
    "Uzbekistan": "Tashkent Samarkand Bukhara Nukus Andijan Fergana",
}
# Multi-word places first, so "Ulan Bator" is not read as a place called "Ulan".
_MULTI_WORD = ("Andorra la Vella", "Banja Luka", "Vatican City", "The Hague", "Ulan Bator", "St Petersburg", "St. Petersburg",
               "Saint Petersburg", "San Marino", "Novi Sad", "New York")


def _fold(text: str) -> str:
    """Upper case without accents: "Chișinău" and "CHISINAU" are one place."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).upper()


_PLACES: dict[str, str] = {}
for _country, _names in _CITIES.items():
    rest = _names
    for multi in _MULTI_WORD:
        if multi in rest:
            _PLACES[_fold(multi)] = _country
            rest = rest.replace(multi, " ")
    for _name in rest.split():
        _PLACES[_fold(_name)] = _country
_PLACE = re.compile(r"[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,2}")


def country_of(dateline: str | None) -> str | None:
    """The country of the place a dateline starts with, or None when it names no listed place.

    >>> country_of("BAKU, AZERTAC."), country_of("ALMATY, March 3 (Reuters)"), country_of("Chișinău, 12 May")
    ('Azerbaijan', 'Kazakhstan', 'Moldova')
    >>> country_of("THE HAGUE, 4 June"), country_of("ULAN BATOR (AP)"), country_of("SPRINGFIELD, Ill."), country_of(None)
    ('Netherlands', 'Mongolia', None, None)
    """
    if not dateline:
        return None
    head = re.split(r"[,(/]|\s[-–—]\s", _fold(dateline), maxsplit=1)[0].strip()
    match = _PLACE.match(head)
    if not match:
        return None
    words = match.group(0).split(" ")
    for n in range(len(words), 0, -1):  # the longest listed place at the start ("THE HAGUE" before "THE")
        country = _PLACES.get(" ".join(words[:n]).rstrip("."))
        if country:
            return country
    return None
