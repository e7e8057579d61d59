# language: no
Egenskap: Hovedregelen – foreldre med foreldreansvar ser journalen til barn under 16 år
  Den som har foreldreansvar, har rett til informasjon om barnet til barnet fyller 16 år
  (pasient- og brukerrettighetsloven § 3-4 første ledd, jf. § 5-1 fjerde ledd).
  Digitalt innsyn følger loven: uten unntak, vurderinger eller tilpasset tilgang ser
  foreldrene alt. Den som ikke har foreldreansvar, har etter barneloven § 47 bare rett til
  opplysninger på forespørsel, ikke innsyn i journalen.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00

  Scenariomal: Foreldre med felles foreldreansvar ser alt i journalen til et barn under 16 år
    Gitt barnet er <alder> år
    Og mor og far har felles foreldreansvar
    Og journalen har <type> "E1"
    Når <hvem> ser på "E1"
    Så får <hvem> innsyn etter regel "main-rule" (hovedregelen)
    Og hjemmelen omfatter "pbrl-3-4-1"

    Eksempler:
      | alder | type         | hvem |
      | 3     | et prøvesvar | mor  |
      | 9     | et notat     | far  |
      | 13    | et dokument  | mor  |
      | 15    | en melding   | far  |

  Scenario: En forelder som har foreldreansvaret alene, ser journalen
    Gitt barnet er 7 år
    Og far har foreldreansvaret alene
    Og journalen har en vaksinasjon "VA1"
    Når far ser på "VA1"
    Så får far innsyn etter regel "main-rule" (hovedregelen)

  Scenario: Medmor med foreldreansvar ser journalen
    Gitt barnet er 5 år
    Og medmor står i Folkeregisteret med ansvar "felles"
    Og mor står i Folkeregisteret med ansvar "felles"
    Og journalen har et legemiddel "L1"
    Når medmor ser på "L1"
    Så får medmor innsyn etter regel "main-rule" (hovedregelen)

  Scenario: En forelder uten foreldreansvar får ikke digitalt innsyn
    Gitt barnet er 8 år
    Og mor har foreldreansvaret alene
    Og journalen har et dokument "D1"
    Når far ser på "D1"
    Så får far ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)
    Og hjemmelen omfatter "bl-47"

  Scenario: Andre i familien har ikke innsyn
    Gitt barnet er 8 år
    Og mor og far har felles foreldreansvar
    Og journalen har en timeavtale "A1"
    Når bestefar ser på "A1"
    Så får bestefar ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)

  Scenario: Når barnet er myndig, ser foreldrene ingenting
    Gitt barnet er 19 år
    Og mor og far har felles foreldreansvar
    Og journalen har et dokument "D1"
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "child-adult" (barnet er myndig)
