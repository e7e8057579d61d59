# language: no
Egenskap: Deling fra 16 år – ungdommen bestemmer selv
  Fra 16 år ser foreldrene bare det som er nødvendig for å ivareta foreldreansvaret. Ungdommen
  bestemmer selv over sine opplysninger (pbrl § 4-3) og kan samtykke til at en forelder med
  foreldreansvar ser dem (helsepersonelloven § 22): hele journalen, noen typer opplysninger
  eller ett forløp. Ungdommen registrerer delingen selv og kan trekke den tilbake når som helst.
  En deling går aldri foran et unntak. Fra 18 år gir en deling ingenting: da representerer
  foreldrene ikke lenger barnet.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har:
      | opplysning | type       | forløp   |
      | A1         | timeavtale | BUP      |
      | NO1        | notat      | BUP      |
      | R1         | prøvesvar  | ORTOPEDI |
      | NO2        | notat      | ORTOPEDI |

  Scenario: 17 år: ungdommen deler hele journalen med mor, ikke med far
    Gitt barnet er 17 år
    Og delingen "S1" gir mor innsyn i hele journalen
    Når mor ser på "NO1"
    Så får mor innsyn etter regel "shared-by-adolescent" (delt av ungdommen)
    Og begrunnelsen nevner "S1"
    Og hjemmelen omfatter "hpl-22"

  Scenario: Delingen med mor gjelder ikke far
    Gitt barnet er 17 år
    Og delingen "S1" gir mor innsyn i hele journalen
    Når far ser på "NO1"
    Så får far ikke innsyn etter regel "child-16-17" (barnet er 16 eller 17 år)
    Og begrunnelsen nevner ikke "S1"

  Scenario: 16 år: ungdommen deler bare timeavtalene og prøvesvarene
    Gitt barnet er 16 år
    Og delingen "S2" gir far innsyn i timeavtalene og prøvesvarene i hele journalen
    Når far ser på tidslinjen
    Så er svarene for far:
      | opplysning | svar        | regel                | regelnavn                |
      | A1         | innsyn      | shared-by-adolescent | delt av ungdommen        |
      | NO1        | ikke innsyn | child-16-17          | barnet er 16 eller 17 år |
      | R1         | innsyn      | shared-by-adolescent | delt av ungdommen        |
      | NO2        | ikke innsyn | child-16-17          | barnet er 16 eller 17 år |

  Scenario: 16 år: ungdommen deler ett forløp
    Gitt barnet er 16 år
    Og delingen "S3" gir mor innsyn i forløpet "ORTOPEDI"
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar        | regel                | regelnavn                |
      | A1         | ikke innsyn | child-16-17          | barnet er 16 eller 17 år |
      | NO1        | ikke innsyn | child-16-17          | barnet er 16 eller 17 år |
      | R1         | innsyn      | shared-by-adolescent | delt av ungdommen        |
      | NO2        | innsyn      | shared-by-adolescent | delt av ungdommen        |

  Scenariomal: Ungdommen trekker delingen tilbake
    Gitt barnet er 17 år
    Og delingen "S4" gir mor innsyn i hele journalen
    Og delingen "S4" ble trukket tilbake 01.12.2026 kl. 09:00
    Når mor ser på "R1" den <tidspunkt>
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel                | regelnavn                |
      | 01.12.2026 kl. 08:59 | innsyn      | shared-by-adolescent | delt av ungdommen        |
      | 01.12.2026 kl. 09:00 | ikke innsyn | child-16-17          | barnet er 16 eller 17 år |

  Scenario: En deling går aldri foran et unntak
    Gitt barnet er 17 år
    Og delingen "S5" gir mor innsyn i hele journalen
    Og unntaket "U1" holder notatene i forløpet "BUP" tilbake overfor alle foreldre etter "pbrl-5-1-2"
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar        | regel                | regelnavn         |
      | A1         | innsyn      | shared-by-adolescent | delt av ungdommen |
      | NO1        | ikke innsyn | exemption            | unntak fra innsyn |
      | R1         | innsyn      | shared-by-adolescent | delt av ungdommen |
      | NO2        | innsyn      | shared-by-adolescent | delt av ungdommen |

  Scenario: En deling gir ikke innsyn til den som ikke har foreldreansvar
    Gitt barnet er 17 år
    Og delingen "S6" gir bestefar innsyn i hele journalen
    Når bestefar ser på "R1"
    Så får bestefar ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)

  Scenariomal: Fra 18 år gir delingen ingenting
    Gitt barnet er født 10.12.2008
    Og delingen "S7" gir mor innsyn i hele journalen
    Når mor ser på "R1" den <tidspunkt>
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel                | regelnavn         |
      | 09.12.2026 kl. 23:59 | innsyn      | shared-by-adolescent | delt av ungdommen |
      | 10.12.2026 kl. 00:00 | ikke innsyn | child-adult          | barnet er myndig  |

  Scenario: En deling registrert mens mor hadde D-nummer, gjelder etter at hun fikk fødselsnummer
    Gitt barnet er 17 år
    Og mor fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og delingen "S8" gir mor innsyn i forløpet "BUP"
    Og delingen "S8" ble registrert 01.09.2026 kl. 10:00
    Når mor ser på "NO1"
    Så får mor innsyn etter regel "shared-by-adolescent" (delt av ungdommen)
    Og begrunnelsen nevner "S8"
