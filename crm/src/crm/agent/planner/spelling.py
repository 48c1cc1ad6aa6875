"""When a word is a misspelling of a value in the data ("lipstik", "Hyderbad", "Dehli") and when
it is just an English word that happens to look like one ("ignore" is not "Indore").

A word is only read as a close spelling when it is not an everyday English word and is close in a
way typos are: one slip (a letter missed, added or swapped with its neighbour) for words of five
letters or more; a wrong letter only from seven letters on (in a short word it usually makes
another word: blush/brush); two slips from nine letters on. The first letter must
be right, and a word as close to two different values is left alone rather than guessed.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from rapidfuzz.distance import OSA

MIN_LENGTH = 5
SUBSTITUTION_FROM = 7
TWO_SLIPS_FROM = 9

_ENGLISH_WORDS = """
about above absent accept access account across action actually admin advice after again against agent
agree ahead allow almost alone along already alter always amount angry animal another answer anyone
anything anyway anywhere appear apply approve argue around arrive aside asked assume attack avoid aware
awful basic beach became become before begin behind being below beside better beyond bigger birds black
blame blank bless blind block blood board bonus boost bored borrow bottle bottom bound brain brand brave
bread break bright bring broad broke brown brush build built bunch burst buyer cable called calls calm
camera cancel candy cannot carry catch cause cease chain chair chance change charge chart cheap check
cheer chest chief child choice chose chosen circle claim class clean clear click climb clock close
closed cloud coach coast coffee color colour comes coming command comment common copies corner costs
could count course court cover crash crazy cream create crowd dance daily dates dealt dear death delay
delete deliver demand depend design detail device dinner direct dirty doing dollar donate double doubt
dozen draft drawn dream dress drink drive driver dropped early earth easily eight either eleven email
empty enable ended enemy enjoy enough enter entire equal error escape essay event every exact example
except exist expect extra faith false famous fancy father fault favor favour feature fewer field fifty
fight final finally finger finish first floor focus follow force forever forget forgot format forty
forward found frame fresh friend front fruit funny garden gather gently ghost given giving glass global
goals going grand grant great green gross group grown guard guess guest guide habit handle happen happy
heard heart heavy hello helps hence hidden higher honest horse hotel hours house human humor hurry
ignore ignored ignoring image imagine impact indeed inside insist instead instruction instructions
issue itself joined joint judge juice kinda knife known label large later laugh layer learn least leave
legal lemon level light limit listen little local logic loose lower lucky lunch magic major maker
manage manner march market master match maybe means meant media meeting member memory mention merely
method middle might minor minus minute mirror mixed model modern moment money month moral mother motor
mount mouse mouth moved movie music naked named nation nature nearby nearly needs never night noble
noise north noted notes novel nudge number nurse object occur ocean offer office often older opened
option order other others ought outer override owner paint panel paper parent party pasta pause peace
people perhaps phone photo piece pilot place plain plane plant plate please plenty point police policy
pound power press price pride print prior prize problem proof proper proud prove public pulse punch
purpose quick quiet quite quote radio raise rapid rather reach react ready realm really reason recent
refer reject relax reply report reset rests return right river robot rough round route royal rules
ruler rumor rural safety salad scale scene scope score screen script second secret sense serve seven
shake shall shape share sharp sheet shelf shift shine shirt shock shoot short shout shown sight signal
silent silly simple since skill sleep slide slowly small smart smile smoke solid solve sorry sound south
space spare speak speed spend spent spirit split sport staff stage stand start state steal steam steel
stick still stock stone store storm story straight strange street strict strike strong stuck study
stuff style sugar super sweet swing system table taken talks taste teach teeth thank their theme there
these thick thing think third those though three throw tight timer tired title today token topic total
touch tough tower track trade train treat trend trial trick tried truly trust truth twice under union
unless until upper upset urban usual valid value video visit voice wants watch water weird whole whose
woman women world worry worse worth would write wrong years yield young yours
"""
ENGLISH = frozenset(_ENGLISH_WORDS.split())
"""Everyday English words (five letters or more) that are never read as a misspelt value."""


def slips(word: str, target: str) -> tuple[int, bool]:
    """Optimal-string-alignment distance (rapidfuzz), and whether it is one wrong letter (a substitution)."""
    distance = OSA.distance(word, target)
    differing = sum(x != y for x, y in zip(word, target, strict=False))
    substitution = distance == 1 and len(word) == len(target) and differing == 1
    return distance, substitution


def allowed_slips(word: str, target: str) -> int:
    shorter = min(len(word), len(target))
    if shorter < MIN_LENGTH:
        return 0
    return 2 if shorter >= TWO_SLIPS_FROM else 1


def misspelling_of(word: str, candidates: Mapping[str, Hashable], known: frozenset[str] = frozenset()) -> str | None:
    """The candidate phrase `word` is a typo of, or None (an English word, too far, or as close to
    phrases meaning different things). `candidates` maps each phrase to what it means."""
    if len(word) < MIN_LENGTH or word in ENGLISH or word in known:
        return None
    best: list[str] = []
    best_distance = 99
    for candidate in candidates:
        if candidate[0] != word[0] or abs(len(candidate) - len(word)) > 2:
            continue
        distance, substitution = slips(word, candidate)
        if distance == 0 or distance > allowed_slips(word, candidate):
            continue
        if substitution and min(len(word), len(candidate)) < SUBSTITUTION_FROM:
            continue
        if distance < best_distance:
            best, best_distance = [candidate], distance
        elif distance == best_distance:
            best.append(candidate)
    return best[0] if len({candidates[b] for b in best}) == 1 else None
