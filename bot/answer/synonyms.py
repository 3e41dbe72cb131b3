"""Words patients use and words documents use for the same thing: the curated list we ship.

Two kinds: words documents use interchangeably ("stomach", "gastric"), and lay words
patients write for the documents' words ("small bowel" for small intestine). Aliases the corpus itself defines
("pembrolizumab (Keytruda)", "high microsatellite instability (MSI-H)") are learnt by
aliases.py. Keep a group to true synonyms: a wrong one sends patients to wrong passages.
"""

# Words documents use interchangeably: each is also searched for the others (at half weight).
EQUIVALENT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("stomach", "gastric"),
    ("radiotherapy", "radiation therapy"),
    ("5-FU", "fluorouracil", "5-fluorouracil"),
    ("metastasized", "metastatic", "spread"),
    ("recurrent", "recurrence"),
    ("blockage", "obstruction"),
    ("medicine", "drug"),
    ("kidney", "renal"),
    ("liver", "hepatic"),
    ("heart", "cardiac"),
    ("lung", "pulmonary"),
    ("operation", "surgery"),
    ("tablet", "pill"),
    ("side effect", "adverse effect"),
    ("fatigue", "tiredness"),
    ("important", "imperative", "essential", "crucial"),
    ("hair loss", "alopecia"),
    ("shortness of breath", "dyspnea"),
)

# What a patient may write (first), then the words documents use for it: the documents'
# words are searched at full weight and the lay words at half. Only that way round: a
# question in the documents' own words needs no help.
LAY_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("small bowel", "small intestine"),
    ("large bowel", "colon"),
    ("bowel", "intestine"),
    ("gut", "intestine"),
    ("chemo", "chemotherapy"),
    ("radiation", "radiation therapy"),
    ("come back", "recurrent"),
    ("came back", "recurrent"),
    ("comes back", "recurrent"),
    ("spread", "metastasized"),
    ("blocked", "blockage", "obstruction"),
    ("hole", "perforation"),
    ("fix", "repair"),
    ("fixed", "repair"),
    ("food stuck", "blockage", "obstructing"),
    ("food gets stuck", "blockage", "obstructing"),
    ("heavy bleeding", "hemorrhage"),
    ("throw up", "vomit"),
    ("throwing up", "vomiting"),
    ("belly", "abdomen", "abdominal"),
    ("tummy", "abdomen", "stomach"),
    ("high blood pressure", "hypertension"),
    ("low blood pressure", "hypotension"),
    ("heart attack", "myocardial infarction"),
    ("blood sugar", "glucose"),
    ("shot", "injection"),
    ("jab", "injection", "vaccine"),
    ("feeding tube", "nasogastric tube"),
    ("tube feeding", "nasogastric tube"),
    ("drip", "intravenous"),
    ("iv", "intravenous"),
    ("into a vein", "intravenous"),
    ("tube through the nose", "nasogastric tube"),
    ("nose tube", "nasogastric tube"),
    ("tired", "fatigue"),
    ("losing weight", "weight loss"),
    ("pee", "urine"),
    ("poop", "stool"),
    ("pregnant", "pregnancy"),
    ("kid", "child"),
    ("kids", "children"),
    ("trial", "clinical trial"),
    ("research study", "clinical trial"),
    ("painkiller", "analgesic"),
    ("sick to my stomach", "nausea"),
    ("nauseous", "nausea"),
    ("nauseated", "nausea"),
    ("constipated", "constipation"),
    # Clinical shorthand patients pick up from their care teams (as used in oncology
    # patient forums and the abbreviation lists of consumer-health sites).
    ("onc", "oncologist"),
    ("oncs", "oncologists"),
    ("oncology doc", "oncologist"),
    ("gi doc", "gastroenterologist"),
    ("gi doctor", "gastroenterologist"),
    ("gi specialist", "gastroenterologist"),
    ("rads", "radiation therapy"),
    ("zap", "radiation therapy"),
    ("zapped", "radiation therapy"),
    ("radio", "radiation therapy"),
    ("xrt", "radiation therapy"),
    ("mets", "metastatic", "metastasized"),
    ("secondaries", "metastatic", "metastasized"),
    ("immuno", "immunotherapy"),
    ("ca", "cancer"),
    ("tx", "treatment"),
    ("chemo combo", "combination chemotherapy"),
    ("combo", "combination"),
    ("path report", "pathology"),
    ("pembro", "pembrolizumab"),
    ("nivo", "nivolumab"),
    ("herc", "herceptin", "trastuzumab"),
    ("cape", "capecitabine"),
    ("oxali", "oxaliplatin"),
    ("irino", "irinotecan"),
    # Lay phrases for the documents' words.
    ("live longer", "survival", "prolong life"),
    ("living longer", "survival", "prolong life"),
    ("keep alive longer", "survival", "prolong life"),
    ("buy time", "prolong life"),
    ("clogging up", "obstructing", "obstruction"),
    ("clogged", "obstructing", "obstruction"),
    ("blocked up", "obstruction"),
    ("underweight", "malnourished"),
    ("skinny", "malnourished"),
    ("too thin", "malnourished"),
    ("prep", "preparation"),
    ("get ready", "preparation"),
    ("getting ready", "preparation"),
    ("prepare", "preparation"),
    ("calories", "nutrition", "nutritional support"),
    ("supplements", "nutritional support"),
    ("protein shakes", "nutritional support"),
    ("fatten up", "nutrition"),
    ("lost weight", "malnourished"),
    ("lost a lot of weight", "malnourished"),
    ("cant eat", "nutrition", "malnourished"),
    ("tube fed", "nasogastric tube", "feeding"),
    ("feeding tube", "nasogastric tube", "feeding"),
    ("ng tube", "nasogastric tube"),
    ("ng tubes", "nasogastric tube"),
    ("stopped working", "refractory"),
    ("not working", "refractory"),
    ("keeps growing", "progression", "refractory"),
    ("getting worse", "progression"),
    ("nothing left", "few treatment options", "additional treatment"),
    ("out of options", "few treatment options", "additional treatment"),
    ("treatment getting better", "progress", "improving"),
    ("treatment got better", "progress", "improved"),
    ("treatment gotten better", "progress", "improved"),
    ("is back", "recurrent"),
    ("its back", "recurrent"),
    ("cut it out", "surgery", "removed"),
    ("gastrectomy", "surgery", "stomach"),
    ("resection", "surgery", "removed"),
    ("resected", "surgery", "removed"),
    ("cut out", "removed", "surgery"),
    ("too big", "unresectable"),
    ("cant operate", "unresectable"),
    ("gene test", "genetic", "biomarker"),
    ("feel better", "quality of life", "symptoms"),
    ("comfort care", "palliative", "supportive care"),
    ("pain relief", "relieve pain"),
    ("out of the loop", "informed"),
    ("new treatments", "clinical trials"),
    ("trials", "clinical trials"),
    ("research", "clinical trials", "researchers"),
    ("researching", "clinical trials", "researchers"),
    # Taking part, and what is in it for the patient.
    ("join", "participate"),
    ("joining", "participating"),
    ("sign up", "participate"),
    ("signing up", "participating"),
    ("enrol", "participate"),
    ("enroll", "participate"),
    ("take part", "participate"),
    ("upside", "pros", "benefit"),
    ("advantage", "pros", "benefit"),
    ("advantages", "pros", "benefits"),
    ("the point of", "pros", "benefit"),
    # Treatment given later than planned is off its schedule.
    ("delay", "schedule"),
    ("delayed", "schedule"),
    ("postpone", "schedule"),
    ("postponed", "schedule"),
    ("push back", "schedule"),
    ("pushed back", "schedule"),
    ("put off", "schedule"),
    # Whether a treatment is meant to cure: the documents say when it is "palliative".
    ("cure", "palliative"),
    ("cured", "palliative"),
    ("curable", "palliative"),
    # Work: "can he keep working" asks about employment, however everyday its words.
    ("keep working", "employment"),
    ("back to work", "employment"),
    ("go to work", "employment"),
    ("full time", "employment"),
    ("part time", "employment"),
    ("time off work", "employment"),
    ("my job", "employment"),
    ("hospital", "medical center"),
    ("hospitals", "medical center"),
    ("op", "operation", "surgery"),
    ("ops", "operations", "surgery"),
    # Whether something matters is whether it is important.
    ("matter", "important", "imperative"),
    ("matters", "important", "imperative"),
    # Asking how a choice is made is asking what it depends on.
    ("pick", "choose", "choice"),
    ("picked", "chose", "choice"),
    ("choose", "choice"),
    ("how do they decide", "depends on", "factors"),
    ("how do they choose", "depends on", "factors"),
    ("what decides", "depends on", "factors"),
)


# Words of patients' messages that say nothing about what they ask (query side only).
CHATTER = frozenset(
    """
    hi hello hey dear thanks thank please pls wondering wonder information info know
    knowing help helping question questions ask asking anyone someone somebody anybody
    could would like want wanted get getting also really just tell telling regards
    sincerely appreciate appreciated advance kindly sir madam thx ty mean means meaning
    definition define explain explained curious inform let us well much many lot
    mom mum mother dad father husband wife partner son daughter sister brother friend
    grandmother grandfather grandma grandpa aunt uncle family parent parents relative
    hubby hubbie missus wifey mam ma pa dada mama papa nan nana nanna gran granny grandad
    granddad boyfriend girlfriend fiance fiancee bf gf everyone everybody
    worried worry scared afraid concerned anxious hoping hope wish feel feeling
    diagnosed recently ago last year years month months week weeks today yesterday
    again still already currently now soon ever since told said says say found
    yr yrs wk wks mth mths
    actually basically literally honestly seriously totally anyway anyways um umm uh
    hmm lol haha omg ugh wise overwhelmed devastated terrified frightened nervous
    panicking panicked gutted heartbroken plain english layman laymans
    """.split()
)

# Everyday words that tell what is asked about a subject, not which subject: when the
# corpus never uses one, that says nothing about whether it covers the question
# ("Will my drug plan pay for immunotherapy?"), so it is left out of the coverage rule.
GENERIC_WORDS = frozenset(
    """
    pay paid fix fixed choose chose chosen decide decided work works worked help helps
    get gets got take takes took make makes made give gives given need needs needed go
    goes going cause causes caused happen happens cover covers covered start started stop
    stopped try tried keep kept expect recommend recommended suggest suggested offer offered
    available possible normal common usual usually often long likely way ways thing things
    kind kinds type types safe okay ok good bad best better worse worst right wrong sure
    able allowed enough much many old new big small whole part difference diff vs versus
    compare compared comparison pill pills tablet tablets capsule capsules meds
    medication medications
    """.split()
)

# Kinds of treatment, and the words for treatment in general. A passage on treatment in
# general ("side effects may prevent the delivery of therapy at its planned dose") answers
# a question on one kind ("will side effects delay my chemo"): it counts when deciding
# whether the documents answer, but a passage naming the kind still ranks first.
TREATMENT_KINDS = frozenset(
    "chemo chemotherapy radiation radiotherapy rads immunotherapy immuno".split()
)
TREATMENT_IN_GENERAL = frozenset(("treatment", "therapy"))

# Who tells a patient things, and the verbs of telling: in "the onc said", "his surgeon
# told us", "dr mentioned", the person and the verb say who spoke, not what is asked.
CARE_TEAM_ROLES = frozenset(
    """
    onc oncs oncologist oncologists doctor doctors doc docs dr drs surgeon surgeons nurse
    nurses gp consultant consultants specialist specialists team physician physicians
    gastroenterologist gastroenterologists nutritionist nutritionists dietitian
    dietitians dietician dieticians pharmacist pharmacists radiologist radiologists
    they he she
    """.split()
)
# Reports only ("the oncologist told us", "her surgeon picked"): "how does the team
# choose" and "would they offer" ask about the choosing and the offering.
TELLING_VERBS = frozenset(
    """
    said says told tells mentioned mentions thinks thought wants wanted suggested
    suggests recommended recommends explained explains reckons picked chose decided
    gave started offered changed switched prescribed referred sent saying telling
    mentioning suggesting recommending explaining brought raised discussed
    """.split()
)
# What else tells a patient things: a report, and the tests it reports on ("the biopsy
# report says", "her ct showed", "the results say"). Told by them is not asked.
REPORTS = frozenset("report reports result results scan scans letter".split())
REPORTED_TESTS = frozenset(
    "biopsy path pathology test tests blood ct mri pet xray scan lab genetic".split()
)
REPORTING_VERBS = frozenset("say show shows showed shown found finds".split())
# "How does the team choose": the choosing is asked, not who chooses.
DECIDING_VERBS = frozenset("decide decides choose chooses pick picks".split())
# Words that may stand between the person and the telling: "the onc keeps saying".
BEFORE_TELLING = frozenset(
    """
    keeps kept has had have just also then always already even never
    """.split()
)
