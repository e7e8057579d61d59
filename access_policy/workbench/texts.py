"""What each rule and legal basis means, in Norwegian and English: one home for people's words.

A rule id missing here is described from its conditions; a policy may add rules freely.
"""

from __future__ import annotations

# rule id -> (Norwegian, English)
RULE_TEXTS: dict[str, tuple[str, str]] = {
    "no-current-representation": ("Opplysningene fra Folkeregisteret mangler eller er for gamle", "No register data for the child, or it is stale"),
    "address-protection": ("Barnet har adressebeskyttelse (fortrolig / strengt fortrolig)", "The child's address is confidential"),
    "organisation-representative": ("En organisasjon kan ikke representere barnet", "An organisation cannot represent the child"),
    "no-parental-responsibility": ("Den som spør har ikke foreldreansvar", "The requester holds no parental responsibility"),
    "child-adult": ("Barnet er 18 år eller eldre", "The child is 18 or older"),
    "child-12-or-older": ("Barnet er 12 år eller eldre: foreldrene ser ingenting", "The child is 12 or older: parents see nothing"),
    "birth-date-unknown": ("Barnets alder kan ikke regnes ut", "The child's age cannot be computed"),
    "exemption": ("Et unntak holder opplysningen tilbake overfor denne forelderen", "An exemption withholds the item from this representative"),
    "hidden-from-guardians": ("Opplysningen er merket skjult for foresatte", "The item is marked hidden from guardians"),
    "necessary-information": ("Merket som nødvendig for å ivareta foreldreansvaret", "Marked necessary to fulfil parental responsibility"),
    "child-16-17": ("Barnet er 16 eller 17 år", "The child is 16 or 17"),
    "adolescent-wish": ("12–15 år: ungdommen ønsker av grunner som bør respekteres ikke at foreldrene informeres (også det som ble betrodd mens ønsket gjaldt)",
                        "12–15: the adolescent, for reasons that should be respected, does not want the parents informed (also what was confided while the wish applied)"),
    "requester-address-protection": ("Den som ber om innsyn har selv fortrolig eller strengt fortrolig adresse", "The requester's own address is confidential"),
    "child-deceased": ("Barnet er dødt: innsyn for pårørende gis på forespørsel, ikke digitalt", "The child has died: relatives' access is on request, not digital"),
    "child-id-inactive": ("Barnets identitetsnummer er ikke lenger i bruk, eller barnet er forsvunnet", "The child's id is no longer in use, or the child is missing"),
    "child-not-resident": ("Barnet er utflyttet eller ikke bosatt: foreldreansvaret følges ikke lenger i registeret", "The child has emigrated or is not resident: the register no longer maintains parental responsibility"),
    "care-order": ("Barnevernet har overtatt omsorgen: foreldrenes digitale innsyn er stanset mens vedtaket gjelder", "Child welfare services have taken over care: the parents' digital access is suspended while it is in force"),
    "shared-by-adolescent": ("Ungdommen (16–17 år) har selv delt dette med forelderen", "The adolescent (16–17) has shared this with the parent"),
    "withheld-from-patient": ("Holdt tilbake overfor pasienten selv (fare for liv eller alvorlig helseskade)", "Withheld from the patient themselves (danger to life or serious harm)"),
    "access-profile": ("Typen ligger utenfor denne forelderens tilgang", "The item's kind is outside this parent's access profile"),
    "main-rule": ("Hovedregelen: forelder med foreldreansvar, barn under 16", "Main rule: holder of parental responsibility, child under 16"),
    "under-12": ("Forelder med foreldreansvar, barn under 12", "Holder of parental responsibility, child under 12"),
    "own-record-16": ("Barnets eget innsyn fra 16 år", "The child's own access from 16"),
    "own-record-consent": ("Barnets eget innsyn i det barnet (12–15) samtykker til selv", "The child's own access (12–15) to care they consent to themselves"),
    "default-deny": ("Ingen regel gir innsyn", "No rule permits: deny"),
}

# legal basis id -> (Norwegian, English)
LEGAL_TEXTS: dict[str, tuple[str, str]] = {
    "pbrl-3-4-1": ("pbrl. § 3-4 første ledd: er pasienten under 16 år, skal både pasienten og foreldrene informeres",
                   "Patients' Rights Act §3-4 (1): under 16, both the child and the holders of parental responsibility are informed"),
    "pbrl-3-4-2": ("pbrl. § 3-4 annet ledd: barn 12–16 år – foreldrene informeres ikke når barnet av grunner som bør respekteres ikke ønsker det",
                   "§3-4 (2): 12–16, parents are not informed when the child, for reasons that should be respected, does not want it"),
    "pbrl-3-4-3": ("pbrl. § 3-4 tredje ledd: foreldrene informeres ikke når tungtveiende hensyn til barnet taler mot det",
                   "§3-4 (3): parents are not informed when weighty concerns for the child speak against it"),
    "pbrl-3-4-4": ("pbrl. § 3-4 fjerde ledd: informasjon som er nødvendig for å oppfylle foreldreansvaret, gis til foreldrene til barnet er 18",
                   "§3-4 (4): information necessary to fulfil parental responsibility is given to the parents until 18"),
    "pbrl-4-3": ("pbrl. § 4-3: samtykkekompetanse fra 16 år", "§4-3: competence to consent to health care from 16"),
    "pbrl-4-4": ("pbrl. § 4-4: for barn under 16 samtykker de med foreldreansvar (barnevernet når det har overtatt omsorgen)",
                 "§4-4: under 16, the holders of parental responsibility consent (child welfare services when they have taken over care)"),
    "pbrl-5-1-1": ("pbrl. § 5-1 første ledd: pasientens rett til innsyn i egen journal", "§5-1 (1): the patient's own right of access to the record"),
    "pbrl-5-1-2": ("pbrl. § 5-1 annet ledd: innsyn kan nektes når det er klart nødvendig for å hindre fare for liv eller alvorlig helseskade, eller klart utilrådelig av hensyn til personer som står pasienten nær",
                   "§5-1 (2): access may be refused when clearly necessary to prevent danger to life or serious harm, or clearly inadvisable for those close to the patient"),
    "pbrl-5-1-4": ("pbrl. § 5-1 fjerde ledd: §§ 3-3 og 3-4 gjelder tilsvarende for innsyn i journal", "§5-1 (4): §§3-3 and 3-4 apply likewise to record access"),
    "pbrl-5-1-5": ("pbrl. § 5-1 femte ledd: nærmeste pårørende har rett til innsyn i journal etter pasientens død, om ikke særlige grunner taler mot det",
                   "§5-1 (5): the next of kin have a right of access to the record after the patient's death, unless special reasons speak against it"),
    "hpl-22": ("helsepersonelloven § 22: taushetsplikten er ikke til hinder for at opplysninger gjøres kjent for den opplysningene gjelder eller andre når den som har krav på taushet, samtykker",
               "Health Personnel Act §22: confidentiality does not prevent disclosure when the person entitled to it consents"),
    "bl-47": ("barneloven § 47: forelder uten foreldreansvar har rett til opplysninger på forespørsel, ikke til journalen",
              "Children Act §47: a parent without parental responsibility has a right to information on request, not to the record"),
}


def rule_text(rule_id: str, language: str = "nb") -> str:
    """A rule's meaning in Norwegian (`nb`) or English (`en`); empty for a rule not described here."""
    texts = RULE_TEXTS.get(rule_id)
    if texts is None:
        return ""
    return texts[0] if language == "nb" else texts[1]


def legal_text(basis: str, language: str = "nb") -> str:
    """A legal basis's text in Norwegian or English; the id itself when unknown."""
    texts = LEGAL_TEXTS.get(basis)
    if texts is None:
        return basis
    return texts[0] if language == "nb" else texts[1]
