# language: no
Egenskap: Unntak – helsepersonell holder journalopplysninger tilbake overfor foreldrene
  For barn under 16 år kan helsepersonell holde tilbake én journalopplysning, et helt forløp
  eller alt som hører til én henvisning, eventuelt bare noen typer opplysninger i det (for
  eksempel notatene i et forløp, mens timeavtalene vises). Unntaket kan gjelde alle foreldre
  eller én navngitt forelder, for alltid eller for en periode. Hjemmel: tungtveiende hensyn til
  barnet (pbrl § 3-4 tredje ledd), fare for liv eller alvorlig helseskade (pbrl § 5-1 annet
  ledd), eller barnets eget ønske i gråsonen (pbrl § 3-4 annet ledd). Et unntak går foran alt
  annet som ville gitt innsyn.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 13 år
    Og mor og far har felles foreldreansvar
    Og journalen har et dokument "D1" i forløpet "BUP" fra henvisningen "H7"
    Og journalen har et prøvesvar "R1" fra henvisningen "H7"
    Og journalen har en timeavtale "A1" i forløpet "BUP"
    Og journalen har et notat "NO1" i forløpet "BUP"
    Og journalen har en vaksinasjon "VA1"

  Scenario: Ett dokument holdes tilbake overfor alle foreldre
    Gitt unntaket "U1" holder dokumentet "D1" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og begrunnelsen nevner "U1"
    Og hjemmelen omfatter "pbrl-3-4-3"

  Scenario: Et unntak for ett dokument gjelder ikke resten av forløpet
    Gitt unntaket "U1" holder dokumentet "D1" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Når mor ser på "A1"
    Så får mor innsyn etter regel "main-rule" (hovedregelen)
    Og begrunnelsen nevner ikke "U1"

  Scenario: Et helt forløp holdes tilbake
    Gitt unntaket "U2" holder forløpet "BUP" tilbake overfor alle foreldre etter "pbrl-5-1-2"
    Når far ser på "A1"
    Så får far ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og begrunnelsen nevner "U2"
    Og hjemmelen omfatter "pbrl-5-1-2"

  Scenario: Notatene i forløpet BUP holdes tilbake, timeavtalene vises
    Gitt unntaket "U9" holder notatene og dokumentene i forløpet "BUP" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar        | regel     | regelnavn         |
      | D1         | ikke innsyn | exemption | unntak fra innsyn |
      | R1         | innsyn      | main-rule | hovedregelen      |
      | A1         | innsyn      | main-rule | hovedregelen      |
      | NO1        | ikke innsyn | exemption | unntak fra innsyn |
      | VA1        | innsyn      | main-rule | hovedregelen      |

  Scenario: Alt fra én henvisning holdes tilbake, resten av journalen vises
    Gitt unntaket "U3" holder henvisningen "H7" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Og unntaket "U4" holder forløpet "BUP" tilbake overfor far etter "pbrl-3-4-3"
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar        | regel     | regelnavn         |
      | D1         | ikke innsyn | exemption | unntak fra innsyn |
      | R1         | ikke innsyn | exemption | unntak fra innsyn |
      | A1         | innsyn      | main-rule | hovedregelen      |
      | NO1        | innsyn      | main-rule | hovedregelen      |
      | VA1        | innsyn      | main-rule | hovedregelen      |
    Og begrunnelsen nevner ikke "U4"

  Scenariomal: Et unntak overfor én navngitt forelder gjelder bare den forelderen
    Gitt unntaket "U4" holder forløpet "BUP" tilbake overfor far etter "pbrl-3-4-3"
    Når <hvem> ser på "A1"
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem | svar        | regel     | regelnavn         |
      | far  | ikke innsyn | exemption | unntak fra innsyn |
      | mor  | innsyn      | main-rule | hovedregelen      |

  Scenariomal: Et dokument holdes tilbake for en periode
    Gitt unntaket "U5" holder dokumentet "D1" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Og unntaket "U5" gjelder fra 01.12.2026 kl. 08:00
    Og unntaket "U5" gjelder til 01.03.2027 kl. 00:00
    Når mor ser på "D1" den <tidspunkt>
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler: før, ved og etter periodens start og slutt
      | tidspunkt            | svar        | regel     | regelnavn         |
      | 01.12.2026 kl. 07:59 | innsyn      | main-rule | hovedregelen      |
      | 01.12.2026 kl. 08:00 | ikke innsyn | exemption | unntak fra innsyn |
      | 28.02.2027 kl. 23:59 | ikke innsyn | exemption | unntak fra innsyn |
      | 01.03.2027 kl. 00:00 | innsyn      | main-rule | hovedregelen      |
      | 02.03.2027 kl. 12:00 | innsyn      | main-rule | hovedregelen      |

  Scenariomal: Et unntak som er trukket tilbake, gjelder ikke lenger
    Gitt unntaket "U6" holder henvisningen "H7" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Og unntaket "U6" ble trukket tilbake 05.12.2026 kl. 10:00
    Når far ser på "R1" den <tidspunkt>
    Så får far <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel     | regelnavn         |
      | 05.12.2026 kl. 09:59 | ikke innsyn | exemption | unntak fra innsyn |
      | 05.12.2026 kl. 10:00 | innsyn      | main-rule | hovedregelen      |

  Scenario: Unntak og merking som nødvendig informasjon på samme dokument: unntaket vinner
    Gitt unntaket "U7" holder dokumentet "D1" tilbake overfor alle foreldre etter "pbrl-5-1-2"
    Og merkingen "N7" viser dokumentet "D1" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og begrunnelsen nevner "U7"
    Og begrunnelsen nevner ikke "N7"

  Scenario: Barnets eget ønske i gråsonen som hjemmel for unntak
    Gitt unntaket "U8" holder prøvesvaret "R1" tilbake overfor alle foreldre etter "pbrl-3-4-2"
    Når far ser på "R1"
    Så får far ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og hjemmelen omfatter "pbrl-3-4-2"
