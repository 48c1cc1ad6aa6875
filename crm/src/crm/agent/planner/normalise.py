"""Stage 1 of the planner: normalise a goal as a marketer types it into plain, lower-case English.

`normalise(text)` is a pure function of the text: it knows nothing about the data. It

- opens contractions and straightens quotes ("haven't" → "have not");
- reads marketer shorthand (cust/custs/ppl/frm/n/&/w/o/w/WA/…) as the words they stand for;
- reads Hinglish function words as their English equivalents, reordering the postpositions that
  come after what they govern ("3k se zyada" → "more than 3000", "Mumbai ko chhod ke" → "except
  mumbai", "pichle 10 din" → "last 10 days", "2 din baad" → "2 days later");
- turns amounts into plain rupees ("₹1,500" → "rs 1500", "5k" → "5000", "1.5k" → "1500",
  "2 lakh" → "200000", "2.5k+" → "2500+") and number words into digits ("two months" → "2 months");
- turns ordinals into digits with their suffix ("second" → "2nd").

Place abbreviations (blr, hyd, ncr, mum …) are left to entity linking, which knows which places
exist in the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

UNIT = r"(?:days?|weeks?|wks?|fortnights?|months?|mos|mths?|quarters?|qtrs?|years?|yrs?)"
NUM = r"\d+(?:\.\d+)?"

ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINALS = {
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
}
"""Ordinal words that are only ordinals. ("first" stays a word: "first-time buyers", "first order".)"""

SHORTHAND: dict[str, str] = {
    "cust": "customers",
    "custs": "customers",
    "customr": "customers",
    "customrs": "customers",
    "cx": "customers",
    "ppl": "people",
    "ppls": "people",
    "peeps": "people",
    "folx": "people",
    "frm": "from",
    "fr": "for",
    "thru": "through",
    "abv": "above",
    "btwn": "between",
    "betw": "between",
    "b/w": "between",
    "bw": "between",
    "w/o": "without",
    "excl": "excluding",
    "exc": "excluding",
    "incl": "including",
    "msg": "message",
    "msgs": "messages",
    "min": "minimum",
    "max": "maximum",
    "avg": "average",
    "amt": "amount",
    "qty": "quantity",
    "purch": "purchase",
    "purchs": "purchases",
    "ord": "order",
    "ords": "orders",
    "wk": "week",
    "wks": "weeks",
    "mnth": "month",
    "mnths": "months",
    "mth": "month",
    "mths": "months",
    "yr": "year",
    "yrs": "years",
    "yo": "years old",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "wa": "whatsapp",
    "whtsapp": "whatsapp",
    "watsapp": "whatsapp",
    "whatsap": "whatsapp",
    "em": "them",
    "tho": "though",
    "bday": "birthday",
    "bdays": "birthdays",
    "b'day": "birthday",
    "b'days": "birthdays",
    "vips": "vips",
    "lst": "last",
    "prev": "previous",
    "atleast": "at least",
    "atmost": "at most",
}
"""Marketer shorthand → the words it stands for (whole words only)."""

HINGLISH_WORDS: dict[str, str] = {
    "mahine": "months",
    "mahina": "month",
    "mahino": "months",
    "mahinon": "months",
    "maheene": "months",
    "din": "days",
    "dino": "days",
    "dinon": "days",
    "hafte": "weeks",
    "hafta": "week",
    "hafton": "weeks",
    "saal": "years",
    "saalon": "years",
    "jo": "who",
    "jinhone": "who",
    "jinhon": "who",
    "jisne": "who",
    "jinka": "whose",
    "jinki": "whose",
    "aur": "and",
    "ya": "or",
    "ya phir": "or",
    "wale": "",
    "waale": "",
    "wali": "",
    "waali": "",
    "wala": "",
    "waala": "",
    "ne": "",
    "hai": "",
    "hain": "",
    "ho": "",
    "tha": "",
    "the": "the",
    "kiya": "",
    "kiye": "",
    "kari": "",
    "kara": "",
    "ki": "",
    "ka": "",
    "ke": "",
    "ko": "",
    "sabhi": "all",
    "sab": "all",
    "sabko": "everyone",
    "log": "people",
    "logon": "people",
    "logo": "people",
    "kharida": "bought",
    "kharide": "bought",
    "kharidi": "bought",
    "kharidna": "buy",
    "nahi": "not",
    "nahin": "not",
    "nai": "not",
    "mat": "not",
    "pichle": "last",
    "pichhle": "last",
    "pichla": "last",
    "pichhla": "last",
    "aaj": "today",
    "abhi": "now",
    "kal": "tomorrow",
    "parso": "day after tomorrow",
    "mein": "in",
    "me": "me",
    "bhejo": "send",
    "bhej": "send",
    "bhejna": "send",
    "karo": "",
    "do": "do",
    "zyada": "more",
    "jyada": "more",
    "kam": "less",
    "upar": "above",
    "neeche": "below",
    "bhi": "also",
    "lekin": "but",
    "par": "but",
    "magar": "but",
    "sirf": "only",
    "naye": "new",
    "naya": "new",
    "purane": "old",
    "shehar": "city",
    "se": "since",
}
"""Hinglish words read one by one, after the phrases below have been reordered."""

AMOUNT = r"(?:rs\s*)?\d+(?:\.\d+)?(?:\s*(?:k|lakhs?|lacs?|l|cr|crores?|thousand))?(?:\s*rs)?"


def _hinglish_phrases(t: str) -> str:
    """Postpositions that follow what they govern, put in front of it in English order."""
    # "kabhi nahi" (never) before "nahi" is read on its own
    t = re.sub(r"\bkabhi (?:bhi )?(?:nahi|nahin|nai)\b", "never", t)
    t = re.sub(r"\bkabhi bhi\b", "ever", t)
    # "3k se zyada" / "5 se kam" → "more than 3k" / "less than 5"
    t = re.sub(rf"\b({AMOUNT})\s+se\s+(?:zyada|jyada|adhik|upar|zyaada)\b", r"more than \1", t)
    t = re.sub(rf"\b({AMOUNT})\s+se\s+(?:kam|neeche|kum)\b", r"less than \1", t)
    t = re.sub(rf"\b({AMOUNT})\s+(?:ya|or)\s+(?:zyada|jyada|adhik|usse zyada)\b", r"\1 or more", t)
    t = re.sub(rf"\b({AMOUNT})\s+(?:ya|or)\s+(?:kam|usse kam)\b", r"\1 or less", t)
    # "2 din baad" → "2 days later"; "2 din pehle" → "2 days ago"
    t = re.sub(r"\b(\d+\s+\w+)\s+(?:baad|bad mein|ke baad)\b", r"\1 later", t)
    t = re.sub(r"\b(\d+\s+\w+)\s+(?:pehle|pahle|purane)\b", r"\1 ago", t)
    # "pichle 10 din (mein)" → "in the last 10 days"
    t = re.sub(
        r"\b(?:pichle|pichhle|pichla|pichhla|pichhli|pichli)\s+(\d+\s+\w+|\w+)(?:\s+(?:mein|me|se))?\b",
        r"in the last \1",
        t,
    )
    # a Hindi verb comes last: "2 mahine se order nahi kiya" → "have not ordered for 2 months"
    verb = r"(?P<v>order|orders|purchase|shopping|shop|kharid\w*|buy)"
    done = r"(?:\s+(?:kiya|kiye|ki|kari|kara|kara hai|kiya hai|kiye hain|hua|hai|hain))*"
    t = re.sub(
        rf"\b(?P<d>\d+\s+\w+)\s+se\s+(?P<o>(?:\w+\s+){{0,2}}?)(?:kuch\s+)?{verb}\s+(?:nahi|nahin|nai){done}",
        lambda m: f"have not {_past(m.group('v'))} {m.group('o')}for {m.group('d')}",
        t,
    )
    t = re.sub(
        rf"\b(?P<d>\d+\s+\w+)\s+se\s+(?:kuch\s+)?(?:nahi|nahin|nai)\s+{verb}{done}",
        lambda m: f"have not {_past(m.group('v'))} anything for {m.group('d')}",
        t,
    )
    t = re.sub(rf"\b(?:kuch\s+)?{verb}\s+(?:nahi|nahin|nai){done}", lambda m: f"have not {_past(m.group('v'))}", t)
    t = re.sub(rf"\b(?:kuch\s+)?(?:nahi|nahin|nai)\s+{verb}{done}", lambda m: f"have not {_past(m.group('v'))}", t)
    t = re.sub(r"\b(?:kharidne|order karne|khareedne)\s+(?:wale|waale|wali|waali)\b", "buyers", t)
    t = re.sub(
        rf"\b{verb}\s+(?:kiya|kiye|ki|kari|kara)(?:\s+(?:hai|hain|tha|the))?\b", lambda m: _past(m.group("v")), t
    )
    # "2 mahine ke andar" / "2 mahine mein" → "within 2 months"
    t = re.sub(r"\b(\d+\s+\w+)\s+(?:ke andar|ke bheetar|mein|me)\b(?=\s+(?!\d))", r"within \1", t)
    # "Mumbai ko chhod ke" / "Pune ya Delhi ke alawa": a postposition, read as "… excluded" after the
    # name or list it governs (entity linking applies it to that value or list)
    t = re.sub(
        r"\s+(?:ko\s+)?(?:chhod|chod|chhodke|chodke|chhodkar|chodkar)(?:\s+(?:ke|kar|kr|k|do))?\b", " excluded", t
    )
    t = re.sub(r"\s+(?:ke\s+)?(?:alawa|alava|siwa|siwaay|siva)\b", " excluded", t)
    # "Pune se" at the start of a place phrase means "from Pune"; "2 mahine se" means "for 2 months"
    t = re.sub(
        r"\b(\d+\s+(?:mahine|mahino|mahina|din|dino|hafte|hafta|saal|months?|days?|weeks?|years?))\s+se\b", r"for \1", t
    )
    return t


def _past(verb: str) -> str:
    return "bought" if verb.startswith(("kharid", "buy")) else "purchased" if verb.startswith("purchase") else "ordered"


def _words_to_digits(text: str) -> str:
    tens = "|".join(TENS)
    ones = "|".join(k for k in ONES if k != "zero")

    def compound(m: re.Match[str]) -> str:
        return str(TENS[m.group(1)] + ONES[m.group(2)])

    text = re.sub(rf"\b({tens})[ -]({ones})\b", compound, text)
    text = re.sub(rf"\b({tens})\b", lambda m: str(TENS[m.group(1)]), text)
    text = re.sub(rf"\b({'|'.join(ONES)})\b", lambda m: str(ONES[m.group(1)]), text)
    text = re.sub(r"\b(\d+) hundred\b", lambda m: str(int(m.group(1)) * 100), text)
    return text


def _scaled(pattern: str, factor: int) -> Callable[[str], str]:
    def apply(text: str) -> str:
        def repl(m: re.Match[str]) -> str:
            value = float(m.group(1)) * factor
            return str(int(value)) if value.is_integer() else str(value)

        return re.sub(pattern, repl, text)

    return apply


_SCALES = (
    _scaled(r"\b(\d+(?:\.\d+)?)\s*(?:k|thousand|grand)(?![a-z])", 1000),
    _scaled(r"\b(\d+(?:\.\d+)?)\s*(?:lakhs?|lacs?|lakh|l)(?![a-z])", 100_000),
    _scaled(r"\b(\d+(?:\.\d+)?)\s*(?:crores?|cr)(?![a-z])", 10_000_000),
)


def _shorthand(t: str) -> str:
    t = re.sub(r"(?<![\w/])w/o(?![\w/])", " without ", t)
    t = re.sub(r"(?<![\w/])b/w(?![\w/])", " between ", t)
    t = re.sub(r"(?<![\w/])w/(?=\s|[a-z])", " with ", t)
    # "&" and "+" between words (never "3+", "2.5k+")
    t = re.sub(r"(?<=[a-z])\s*&\s*(?=[a-z])", " and ", t)
    t = re.sub(r"(?<=[a-z])\s+&\s+", " and ", t)
    t = re.sub(r"(?<=[a-z\)])\s+\+\s+(?=[a-z])", " and ", t)
    # "n" between two words is "and" ("del, mum n kol"); never in "n days" style
    t = re.sub(r"(?<=[a-z,])\s+n\s+(?=[a-z])", " and ", t)
    t = re.sub(r"\b([a-z][a-z'/]*)\b", lambda m: SHORTHAND.get(m.group(1), m.group(1)), t)
    return t


def normalise(text: str) -> str:
    t = text.lower()
    t = t.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    t = t.replace("–", "-").replace("—", " - ").replace("…", " ")
    t = t.replace("₹", " rs ")
    t = re.sub(r"\b(?:rs|inr)\.?(?=\s*\d)", " rs ", t)
    t = re.sub(r"(?<=\d)\s*(?:rs|inr|rupees|/-)(?![a-z])", " rs", t)
    t = re.sub(r"(?<=\d),(?=\d)", "", t)
    t = re.sub(r">=|≥", " at least ", t)
    t = re.sub(r"<=|≤", " at most ", t)
    t = re.sub(r">", " more than ", t)
    t = re.sub(r"<", " less than ", t)
    t = re.sub(r"\b(can)'?t\b", "cannot", t)
    t = re.sub(r"\bwon'?t\b", "will not", t)
    t = re.sub(r"\bdon'?t\b|\bdnt\b", "do not", t)
    t = re.sub(r"\bdidn'?t\b|\bdidnt\b", "did not", t)
    t = re.sub(r"\b(have|has|had|did|do|does|is|are|was|were|would|could|should)n'?t\b", r"\1 not", t)
    t = re.sub(r"\b(have|has|had|did|do|does|is|are|was|were)nt\b", r"\1 not", t)
    t = re.sub(r"\bhavn'?t\b|\bhvnt\b|\bhvn'?t\b", "have not", t)
    t = re.sub(r"\b(who|they|we|you|i)'ve\b", r"\1 have", t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)
    t = re.sub(r"\b(\d+)-(?=[a-z]{3})", r"\1 ", t)  # 60-day → 60 day (but "1k-5k" stays a range)
    t = re.sub(r"\be mail", "email", t)
    t = re.sub(r"\bwhats app\b", "whatsapp", t)
    t = re.sub(r"\bin none of\b", "not in", t)
    t = re.sub(r"\bnone of\b", "not", t)
    t = _hinglish_phrases(t)
    t = _shorthand(t)
    t = re.sub(
        r"\b(" + "|".join(sorted(HINGLISH_WORDS, key=len, reverse=True)) + r")\b",
        lambda m: HINGLISH_WORDS[m.group(1)],
        t,
    )
    # Hindi puts the time first: "aaj signed up" → "signed up today"
    t = re.sub(
        r"\b(today|yesterday|tomorrow)\s+((?:signed up|joined|registered|ordered|bought|purchased)\b)", r"\2 \1", t
    )
    t = re.sub(r"\bgenz\b", "gen z", t)
    t = re.sub(r"\b(?:a|an) couple of\b|\bcouple of\b", "2", t)
    t = re.sub(r"\ba few\b", "3", t)
    t = re.sub(r"\b(?:(?:a|an|one) )?half (?:(?:a|an) )?year\b", "6 months", t)
    t = re.sub(r"\b(?:a|an|one) (half)\b", r"0.5", t)
    t = re.sub(r"\btwice\b", "2 times", t)
    t = re.sub(r"\bthrice\b", "3 times", t)
    t = re.sub(r"\b(ordered|bought|purchased|shopped)( only| just)? once\b", r"\1\2 1 times", t)
    t = re.sub(
        r"\b(twenties|thirties|forties|fifties|sixties)\b",
        lambda m: {"twenties": "20s", "thirties": "30s", "forties": "40s", "fifties": "50s", "sixties": "60s"}[
            m.group(1)
        ],
        t,
    )
    t = re.sub(r"\b(" + "|".join(k for k in ORDINALS if k != "first") + r")\b", lambda m: ORDINALS[m.group(1)], t)
    t = _words_to_digits(t)
    t = re.sub(r"\b(?:a|an)\s+(?=(?:single\s+)?" + UNIT + r"\b)", "1 ", t)
    for scale in _SCALES:
        t = scale(t)
    t = re.sub(r"(\d+)\s*(?=[a-z])(?!(?:k|st|nd|rd|th|s|yo)\b)", r"\1 ", t)  # 60days → 60 days
    t = re.sub(r"(\d+)\s*\+", r"\1+", t)
    t = re.sub(r"(\d+) since inactive\b", r"inactive for \1", t)
    t = re.sub(r"(\d+ " + UNIT + r") since (inactive|lapsed|dormant)\b", r"\2 for \1", t)
    t = re.sub(r"\bfor (\d+ " + UNIT + r") (inactive|lapsed|dormant)\b", r"\2 for \1", t)
    t = re.sub(r"[ \t\r\n]+", " ", t)
    return t.strip()
