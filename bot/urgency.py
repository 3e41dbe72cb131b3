"""Is a message an emergency happening now? The phrase tables and the rule.

An emergency is a present situation ("my husband collapsed", "I can't breathe"), not a
topic ("Is chest pain a side effect of chemotherapy?"). So a symptom counts only with a
person living it just before (I, my mother, he ... has, is having), a call for help, or
as a short bare statement; never after "if"/"when", nor told as past or habitual.
"""

from __future__ import annotations

import re

from .phrases import Phrases


def any_phrase(lines: str) -> str:
    """Regex alternatives, one or more per line -> one non-capturing group."""
    return "(?:" + "|".join(line.strip() for line in lines.strip().splitlines()) + ")"


def any_word(words: str) -> str:
    """Space-separated words ("_" for a space inside one) -> one non-capturing group."""
    return "(?:" + "|".join(word.replace("_", " ") for word in words.split()) + ")"


SPELLING = dict(
    pair.split("=")
    for pair in """bleading=bleeding bleding=bleeding bledding=bleeding pian=pain
    cheast=chest chset=chest breth=breath brethe=breathe siezure=seizure sezure=seizure
    seizue=seizure unconcious=unconscious unconsious=unconscious vomitting=vomiting
    vommiting=vomiting sucidal=suicidal suicidial=suicidal collasped=collapsed
    alergic=allergic overdossed=overdosed""".split()
)
KIN = any_word(
    """husband wife partner mom mum mother dad father son daughter baby child kid boy
    girl toddler teenager friend brother sister grandma grandmother grandpa grandfather
    aunt uncle boyfriend girlfriend fiance neighbou?r roommate coworker old"""
)
PERSON = any_word("i im ive id we he hes she shes they theyre someone somebody")
SUBJECT = rf"(?:{PERSON}|there(?:s| is| are)|(?:my|our) (?:\w+ ){{0,3}}?{KIN}s?)"
# Words that may stand between a person and what is happening to them.
FILLER = any_word(
    """am is are was has have having got getting been feel feels feeling keep keeps
    started starting just suddenly now still really very so also and a an the some bad
    think thinks experiencing developed woke up with all of sudden says said want wants
    to like crushing sharp severe terrible awful heavy intense horrible strong tight
    high talking thinking about going into in"""
)
PILLS = any_word("pills tablets capsules meds medication medicine tylenol paracetamol")
CANT = any_word("cant cannot unable_to struggling_to can_barely can_hardly")
SOMEONE = "(?:my|his|her)"

# Phrases that carry their own person and tense: they need no subject before them.
SELF_HARM_PRESENT = any_phrase(r"""
    (?:kill|killing|hurt|hurting|harm|harming|cut|cutting|burn|burning) my ?self
    (?:end|ending|take|taking) (?:my|my own) life|end it all|kms
    i (?:\w+ )?(?:want|wanna|wish|need|going|plan|planning) (?:to )?die
    i wish i (?:was|were) dead|(?:im|i am|id be) better off dead
    i (?:dont|do not) want to (?:live|be alive|be here|wake up)
    no (?:reason|point) (?:to|in) (?:live|living|going on)|i cant go on
    i (?:\w+ )?(?:want|going|plan|planning) to (?:commit suicide|overdose)
    thinking (?:about|of) (?:suicide|killing|ending)
""")
MEDICAL_PRESENT = any_phrase(rf"""
    {CANT} (?:breathe?|catch {SOMEONE} breath|get (?:enough )?air)
    {CANT} (?:stop (?:the )?bleeding|wake (?:\w+ )?up)
    {CANT} (?:move|feel|lift) {SOMEONE} (?:(?:left|right) )?(?:arm|leg|side|face)
    (?:not|isnt|stopped|no longer) breathing|no pulse
    bleeding (?:wont|will not|doesnt|does not|just wont) stop|wont stop bleeding
    (?:im|i am|hes|he is|shes|she is|theyre|is still) bleeding
    blood (?:is )?(?:pouring|gushing|spurting|everywhere)
    toilet (?:bowl )?(?:is )?full of blood
    {SOMEONE} (?:chest|throat|tongue|lips|face) (?:is )?(?:hurts|hurting|tight|closing)
    {SOMEONE} chest is killing
    {SOMEONE} (?:\w+ )?pain is (?:unbearable|excruciating|agoni[sz]ing)
    {SOMEONE} (?:chest|throat|tongue|lips|face) (?:is )?(?:swelling|swollen|drooping)
    {SOMEONE} chest feels (?:tight|heavy|crushed)
    think (?:im|i am|hes|he is|shes|she is|theyre|they are) dying
    worst (?:headache|pain) (?:of my life|ive ever)|just had a seizure
    (?:hit|banged) {SOMEONE} head\b[^.!?]{{0,40}}\b(?:confused|unconscious|vomiting)
    call(?:ed|ing)? (?:911|999|112|an ambulance)
""")
# Symptoms that are a topic unless someone is living them.
TOOK = "(?:took|taken|swallowed)"
SELF_HARM_SYMPTOMS = any_phrase(rf"""
    (?:kill|killing|hurt|hurting|harm|harming|cut|cutting|end|ending) (?:him|her)self
    (?:kill|killing|hurt|hurting|harm|harming|end|ending) (?:themselves|his life)
    (?:kill|killing|hurt|hurting|harm|harming|end|ending) (?:themself|her life)
    suicidal|(?:thoughts|thinking) (?:of|about) (?:suicide|killing|ending|dying)
    self ?harm(?:ing)?|(?:wants?|wanting) to die|overdos(?:ed|ing)
    {TOOK} (?:too many|way too many|a lot of|an overdose)
    {TOOK} (?:a bunch|a handful|handfuls) of (?:\w+ )?{PILLS}
    {TOOK} (?:a|the) (?:whole|full|entire) (?:bottle|pack|box)
    {TOOK} (?:[1-9]\d+ (?:\w+ )?|a (?:bottle|pack|box) of (?:\w+ )?){PILLS}
    {TOOK} all (?:of )?(?:my|his|her|the) (?:\w+ )?{PILLS}
""")
MEDICAL_SYMPTOMS = any_phrase(r"""
    chest (?:pains?|pressure|tightness|discomfort|hurts?|is tight)
    chest feels? (?:tight|heavy)
    (?:pain|pressure|tightness) in (?:my|his|her|the) chest|heart attack
    short(?:ness)? of breath|hard to breathe|gasping|choking|turning blue
    (?:lips|face|skin) (?:is |are |looks? )?(?:blue|grey|gray)
    (?:trouble|difficulty|problems?|struggling|hard time|hard) breathing
    (?:heavy|heavily|uncontroll?able|uncontrolled|severe|massive|profuse) bleeding
    (?:lots of|a lot of) bleeding|haem?orrhaging|losing (?:a lot of|lots of) blood
    bleeding(?: from \w+ \w+)? (?:heavily|a lot|badly|profusely|nonstop|so much)
    (?:vomiting|vomited|throwing up|threw up|puking)(?: up)? (?:\w+ ){0,2}blood
    (?:coughing|coughed|spitting)(?: up)? (?:\w+ ){0,2}blood
    (?:a lot of|lots of|heavy|so much|full of) blood (?:in|from) (?:\w+ )?stools?
    (?:a lot of|lots of|heavy|so much|full of) blood (?:in|from) \w+ (?:poop|rectum)
    face (?:is )?(?:drooping|droopy|droops)|speech is slurred
    slurr(?:ed|ing) (?:speech|words|his|her)|having a stroke
    (?:weakness|numbness|paralysis) (?:on|in) (?:one|the|his|her|my) (?:\w+ )?side
    fainted|fainting|passed out|passing out|blacked out|collapsed|collapsing
    unconscious|unresponsive|not responding|not responsive|wont wake up
    (?:going to|gonna|about to) (?:pass out|faint|collapse)
    (?:swallowed|drank|ate) (?:some )?(?:bleach|poison|antifreeze|drain cleaner)
    (?:having|had) (?:a )?(?:seizures?|convulsions|fit)|seizing|convulsing
    (?:having|severe|bad|serious) (?:an )?allergic reaction|anaphyla\w+
    throat (?:is )?(?:swelling|swollen|closing|tightening)
    (?:tongue|lips) (?:is |are )?(?:swelling|swollen)
    fever\b[^.!?]{0,60}\b(?:confus\w*|delirious|disoriented|stiff neck)
    (?:confused|delirious|disoriented)\b[^.!?]{0,60}\bfever|fever (?:of )?10[4-9]
    (?:sudden|severe|excruciating|unbearable|agoni[sz]ing|extreme)(?: \w+){0,2} pains?
    (?:crushing|stabbing)(?: \w+){0,2} pains?|sudden(?: \w+)? headache
""")
URGENT = [  # each searched with only the phrases a message can hold (phrases.py)
    ("self_harm", Phrases(SELF_HARM_PRESENT), Phrases(SELF_HARM_SYMPTOMS)),
    ("medical", Phrases(MEDICAL_PRESENT), Phrases(MEDICAL_SYMPTOMS)),
]
# "When I got home he was unconscious" is a fact; "when should I call" is not.
HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|in case|what happens|to do when|signs? (?:that|of)|symptoms? of"
    r"|when(?:ever)? (?:you|should|do|does|is it|to|someone|somebody|a person|people)"
    r"|when(?:ever)? (?:i|he|she|we|they) (?:have|has|get|gets|feel|feels)"
    r"|(?:someone|somebody|people|patients?|anyone|person) (?:who|that|with))\b"
)
NOT_NOW = re.compile(
    r"\b(?:yesterday|(?:years?|months?|weeks?|days?) ago|last (?:week|month|year)|in "
    r"(?:19|20)\d\d|used to|as a child|in the past|chronic|for (?:\w+ )?(?:years|"
    r"months|weeks)|always|often|sometimes|usually|every (?:day|time|month)|had "
    r"(?:\w+ ){0,3}before|previously|history of|(?:i|we|they) get|(?:he|she) gets)\b"
)
HELP_NOW = re.compile(
    r"\b(?:right now|at the moment|just now|please help|help please|somebody help|"
    r"someone help|emergency|hurry|asap|ambulance|911|999|112)\b|\bhelp ?!"
)
SUBJECT_BEFORE = re.compile(
    rf"\b{SUBJECT}(?: {FILLER}){{0,4}} $"  # "my husband is having ..."
    rf"|\b{SUBJECT} [^,]*? and(?: {FILLER}){{1,3}} $"  # "I have cancer and am having"
)
MODAL_BEFORE = re.compile(r"\b(?:can|could|would|will|might|may|should|do|does|did) $")
QUESTION_START = re.compile(
    r"^ ?(?:what|why|how|when|where|which|who|is|are|can|could|does|do|will|should)\b"
)
TOPIC = re.compile(
    r"\b(?:symptoms?|signs?|causes?|treatments?|side effects?|risks?|questions?|about"
    r"|info|information)\b"
)
MAX_BARE_WORDS = 10  # a statement this short with a symptom is taken as happening now
SENTENCE_MARKS = ".!?;"  # the only marks kept, each a word: "help!" -> "help !"
KEPT = "abcdefghijklmnopqrstuvwxyz0123456789"
# One pass over a lowercased message: apostrophes dropped ("don't" -> "dont"), sentence
# marks spaced out, any other ASCII character a space; NOT_KEPT then spaces out the rest.
URGENT_CHARACTERS = str.maketrans(
    {character: " " for character in map(chr, range(128)) if character not in KEPT}
    | {mark: f" {mark} " for mark in SENTENCE_MARKS}
    | dict.fromkeys("'’‘`")
)
NOT_KEPT = re.compile(rf"[^{KEPT}{SENTENCE_MARKS}]+")
SENTENCE_END = re.compile(r"[.!?;]+")


def urgent_category(message: str) -> str:
    """The urgent category ("self_harm", "medical") of an emergency now, else ""."""
    text = _urgent_text(message)
    words = text.split()
    distinct_words = set(words)
    found = []  # (category, present, symptoms): the phrases the message can hold
    for category, present_phrases, symptom_phrases in URGENT:
        present = present_phrases.narrowed(text, distinct_words)
        symptoms = symptom_phrases.narrowed(text, distinct_words)
        if present or symptoms:
            found.append((category, present, symptoms))
    if not found:  # almost every question: none of the phrases, nothing more to judge
        return ""
    is_bare = len(words) <= MAX_BARE_WORDS and "?" not in text
    is_bare = is_bare and not QUESTION_START.match(text) and not TOPIC.search(text)
    is_pressing = is_bare or bool(HELP_NOW.search(text))
    # Only sentences with words: every phrase starts at a word boundary.
    sentences = [sentence for sentence in SENTENCE_END.split(text) if sentence.strip()]
    for category, present, symptoms in found:
        for sentence in sentences:
            is_now = category == "self_harm" or not NOT_NOW.search(sentence)
            if is_now and _describes(sentence, present, symptoms, is_pressing):
                return category
    return ""


def _describes(
    sentence: str,
    present: re.Pattern | None,
    symptoms: re.Pattern | None,
    is_pressing: bool,
) -> bool:
    """Whether a present phrase, or a symptom someone is living, is told as a fact."""
    for match in present.finditer(sentence) if present else ():
        if not HYPOTHETICAL.search(sentence[: match.start()]):
            return True
    for match in symptoms.finditer(sentence) if symptoms else ():
        before = sentence[: match.start()]
        if not HYPOTHETICAL.search(before) and (is_pressing or _is_lived(before)):
            return True
    return False


def _is_lived(before: str) -> bool:
    """Whether the words before a symptom end with the person living it."""
    subject = SUBJECT_BEFORE.search(before)
    return bool(subject) and not MODAL_BEFORE.search(before[: subject.start()])


def _urgent_text(message: str) -> str:
    """Lowercase words without apostrophes, common misspellings fixed; .!?; kept."""
    text = message.lower().translate(URGENT_CHARACTERS)
    if not text.isascii():
        text = NOT_KEPT.sub(" ", text)
    return " ".join([SPELLING.get(word, word) for word in text.split()]) + " "
