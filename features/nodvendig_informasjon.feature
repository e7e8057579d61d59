# language: no
Egenskap: Nødvendig informasjon – det foreldrene må vite for å ivareta foreldreansvaret
  Fram til barnet fyller 18 år skal foreldrene ha opplysninger som er nødvendige for å ivareta
  foreldreansvaret (pbrl § 3-4 fjerde ledd). Fra 16 år ser foreldrene bare det helsepersonell
  har merket slik. Under 16 år går merkingen foran barnets ønske i gråsonen og foran en
  tilpasset tilgang, men ikke foran et unntak.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har et legemiddel "L1" i forløpet "DIABETES"
    Og journalen har et notat "NO1" i forløpet "DIABETES"
    Og journalen har et prøvesvar "R1"

  Scenariomal: 17 år: foreldrene ser bare det som er merket som nødvendig
    Gitt barnet er 17 år
    Og merkingen "N1" viser legemidlet "L1" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når <hvem> ser på "<opplysning>"
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem | opplysning | svar        | regel                 | regelnavn                                |
      | mor  | L1         | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | far  | L1         | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | mor  | NO1        | ikke innsyn | child-16-17           | barnet er 16 eller 17 år                 |
      | far  | R1         | ikke innsyn | child-16-17           | barnet er 16 eller 17 år                 |

  Scenario: 17 år: merkingen gjelder bare forelderen den er gitt til
    Gitt barnet er 17 år
    Og merkingen "N2" viser forløpet "DIABETES" til mor som nødvendig for å ivareta foreldreansvaret
    Når far ser på "NO1"
    Så får far ikke innsyn etter regel "child-16-17" (barnet er 16 eller 17 år)
    Og begrunnelsen nevner ikke "N2"
    Og hjemmelen omfatter "pbrl-3-4-4"

  Scenario: 17 år: et helt forløp merket som nødvendig
    Gitt barnet er 17 år
    Og merkingen "N2" viser forløpet "DIABETES" til mor som nødvendig for å ivareta foreldreansvaret
    Når mor ser på "NO1"
    Så får mor innsyn etter regel "necessary-information" (nødvendig for å ivareta foreldreansvaret)
    Og begrunnelsen nevner "N2"
    Og hjemmelen omfatter "pbrl-3-4-4"

  Scenario: 17 år: bare legemidlene i forløpet er merket som nødvendige
    Gitt barnet er 17 år
    Og merkingen "N3" viser legemidlene i forløpet "DIABETES" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når far ser på tidslinjen
    Så er svarene for far:
      | opplysning | svar        | regel                 | regelnavn                                |
      | L1         | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | NO1        | ikke innsyn | child-16-17           | barnet er 16 eller 17 år                 |
      | R1         | ikke innsyn | child-16-17           | barnet er 16 eller 17 år                 |

  Scenario: 14 år: nødvendig informasjon vises selv om barnet ikke vil at foreldrene informeres
    Gitt barnet er 14 år
    Og vurderingen "V1" for forløpet "DIABETES" sier at barnet kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres
    Og merkingen "N3" viser legemidlet "L1" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar        | regel                 | regelnavn                                |
      | L1         | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | NO1        | ikke innsyn | adolescent-wish       | ungdommens ønske                         |
      | R1         | innsyn      | main-rule             | hovedregelen                             |

  Scenario: 14 år: nødvendig informasjon går foran en tilpasset tilgang
    Gitt barnet er 14 år
    Og tilgangen "T1" gir far bare innsyn i timeavtaler
    Og merkingen "N4" viser legemidlet "L1" til far som nødvendig for å ivareta foreldreansvaret
    Når far ser på "L1"
    Så får far innsyn etter regel "necessary-information" (nødvendig for å ivareta foreldreansvaret)
    Og begrunnelsen nevner "N4"

  Scenariomal: En merking som er trukket tilbake, gjelder ikke lenger
    Gitt barnet er 16 år
    Og merkingen "N5" viser legemidlet "L1" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Og merkingen "N5" ble trukket tilbake 01.12.2026 kl. 09:00
    Når mor ser på "L1" den <tidspunkt>
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel                 | regelnavn                                |
      | 01.12.2026 kl. 08:59 | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | 01.12.2026 kl. 09:00 | ikke innsyn | child-16-17           | barnet er 16 eller 17 år                 |

  Scenario: En merking som nødvendig informasjon, registrert på mors D-nummer, gjelder etter at hun fikk fødselsnummer
    Gitt barnet er 17 år
    Og mor fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og merkingen "N1" viser forløpet "DIABETES" til mor som nødvendig for å ivareta foreldreansvaret
    Og merkingen "N1" ble registrert 01.09.2026 kl. 10:00
    Når mor ser på "NO1"
    Så får mor innsyn etter regel "necessary-information" (nødvendig for å ivareta foreldreansvaret)
    Og begrunnelsen nevner "N1"
