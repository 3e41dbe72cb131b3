"""Words patients use and words documents use for the same thing: the curated list we ship.

Each group starts with what a patient may write, then the words documents use for it; a
question with the first phrase is also searched for the others (at a lower weight, see
query.py). Only that way round: a question in the documents' own words needs no help, and
lay words ("come back") would only drag in passages that happen to use them. Aliases the corpus itself defines
("pembrolizumab (Keytruda)", "high microsatellite instability (MSI-H)") are learnt by
aliases.py. Keep a group to true synonyms: a wrong one sends patients to wrong passages.
"""

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("small bowel", "small intestine"),
    ("large bowel", "colon"),
    ("bowel", "intestine"),
    ("gut", "intestine"),
    ("stomach", "gastric"),
    ("chemo", "chemotherapy"),
    ("radiotherapy", "radiation therapy"),
    ("radiation", "radiotherapy"),
    ("immunotherapy", "biological therapy"),
    ("5-FU", "fluorouracil", "5-fluorouracil"),
    ("spread", "metastasized", "metastatic"),
    ("come back", "recurrent", "recurrence"),
    ("came back", "recurrent", "recurrence"),
    ("blocked", "blockage", "obstruction"),
    ("hole", "perforation"),
    ("heavy bleeding", "hemorrhage"),
    ("throw up", "vomit"),
    ("throwing up", "vomiting"),
    ("belly", "abdomen", "abdominal"),
    ("tummy", "abdomen", "stomach"),
    ("medication", "medicine", "drug"),
    ("kidney", "renal"),
    ("liver", "hepatic"),
    ("heart", "cardiac"),
    ("lung", "pulmonary"),
    ("high blood pressure", "hypertension"),
    ("low blood pressure", "hypotension"),
    ("heart attack", "myocardial infarction"),
    ("blood sugar", "glucose"),
    ("sugar", "glucose"),
    ("operation", "surgery"),
    ("tablet", "pill"),
    ("shot", "injection"),
    ("jab", "injection", "vaccine"),
    ("side effect", "adverse effect"),
    ("feeding tube", "nasogastric tube"),
    ("tube feeding", "nasogastric tube", "feeding intravenously"),
    ("drip", "intravenous"),
    ("iv", "intravenous"),
    ("tiredness", "fatigue"),
    ("tired", "fatigue"),
    ("skinny", "malnourished"),
    ("losing weight", "weight loss"),
    ("pee", "urine", "urinate"),
    ("poop", "stool", "bowel movement"),
    ("rash", "skin reaction"),
    ("hair loss", "alopecia"),
    ("pregnant", "pregnancy"),
    ("baby", "infant"),
    ("kid", "child"),
    ("kids", "children"),
    ("trial", "clinical trial"),
    ("research study", "clinical trial"),
    ("shortness of breath", "dyspnea"),
    ("painkiller", "analgesic"),
    ("sick to my stomach", "nausea"),
    ("nauseous", "nausea"),
    ("nauseated", "nausea"),
    ("constipated", "constipation"),
)

# Two spellings of one word, reduced to one at tokenizing (British -> American).
SPELLING_VARIANTS: dict[str, str] = {
    "tumour": "tumor",
    "tumours": "tumors",
    "oesophagus": "esophagus",
    "oesophageal": "esophageal",
    "haemorrhage": "hemorrhage",
    "anaemia": "anemia",
    "anaemic": "anemic",
    "oedema": "edema",
    "paediatric": "pediatric",
    "leukaemia": "leukemia",
    "diarrhoea": "diarrhea",
    "oestrogen": "estrogen",
    "haematology": "hematology",
    "haemoglobin": "hemoglobin",
    "faeces": "feces",
    "foetus": "fetus",
    "gynaecology": "gynecology",
    "orthopaedic": "orthopedic",
    "anaesthetic": "anesthetic",
    "anaesthesia": "anesthesia",
    "coeliac": "celiac",
    "dyspnoea": "dyspnea",
    "behaviour": "behavior",
    "centre": "center",
    "counselling": "counseling",
    "metastasised": "metastasized",
    "minimise": "minimize",
    "organise": "organize",
    "ionising": "ionizing",
    "specialised": "specialized",
    "hospitalised": "hospitalized",
    "immunised": "immunized",
    "immunisation": "immunization",
    "paralysed": "paralyzed",
    "recognise": "recognize",
    "localised": "localized",
    "haemophilia": "hemophilia",
    "ischaemic": "ischemic",
    "haemorrhoids": "hemorrhoids",
}

# Words of patients' messages that say nothing about what they ask (query side only).
CHATTER = frozenset(
    """
    hi hello hey dear thanks thank please pls wondering wonder information info know
    knowing help helping question questions ask asking anyone someone somebody anybody
    could would like want wanted get getting also really just tell telling regards
    sincerely appreciate appreciated advance kindly sir madam thx ty mean means meaning
    definition define explain explained curious inform let us well much many lot
    """.split()
)
