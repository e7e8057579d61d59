# language: no
Egenskap: Flere journalsystemer – samme forløpsnummer betyr ikke samme forløp
  Nummeret på en journalopplysning, et forløp eller en henvisning er bare entydig innenfor
  journalsystemet det kommer fra. Et unntak eller en merking som er satt på forløpet «BUP» i
  sykehusets journalsystem, gjelder derfor ikke et forløp som tilfeldigvis også heter «BUP» i
  fastlegens system. Uten angitt system gjelder nummeret løsningens eget journalsystem.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har:
      | opplysning | type  | forløp | kilde     |
      | SN1        | notat | BUP    | sykehuset |
      | FN1        | notat | BUP    | fastlegen |
      | LN1        | notat | BUP    |           |

  Scenario: Et unntak for sykehusets forløp skjuler ikke fastlegens forløp med samme nummer
    Gitt barnet er 13 år
    Og unntaket "U1" holder forløpet "BUP" i sykehusets system tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar        | regel     | regelnavn         |
      | SN1        | ikke innsyn | exemption | unntak fra innsyn |
      | FN1        | innsyn      | main-rule | hovedregelen      |
      | LN1        | innsyn      | main-rule | hovedregelen      |

  Scenario: Et unntak uten system gjelder bare løsningens eget journalsystem
    Gitt barnet er 13 år
    Og unntaket "U2" holder forløpet "BUP" tilbake overfor far etter "pbrl-3-4-3"
    Når far ser på tidslinjen
    Så er svarene for far:
      | opplysning | svar        | regel     | regelnavn         |
      | SN1        | innsyn      | main-rule | hovedregelen      |
      | FN1        | innsyn      | main-rule | hovedregelen      |
      | LN1        | ikke innsyn | exemption | unntak fra innsyn |

  Scenario: En merking i fastlegens system viser ikke sykehusets notat med samme forløpsnummer
    Gitt barnet er 17 år
    Og merkingen "N1" viser forløpet "BUP" i fastlegens system til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når far ser på tidslinjen
    Så er svarene for far:
      | opplysning | svar        | regel                 | regelnavn                                |
      | SN1        | ikke innsyn | child-16-17           | barnet er 16 eller 17 år                 |
      | FN1        | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | LN1        | ikke innsyn | child-16-17           | barnet er 16 eller 17 år                 |
