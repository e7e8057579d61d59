# language: no
Egenskap: Ulik tilgang for foreldrene
  Etter samtale med barnet kan helsepersonell gi foreldrene ulik tilgang: for eksempel mor alt
  og far bare timeavtaler, eller én navngitt forelder ingenting. En tilgang sier hvilke typer
  opplysninger forelderen ser; alt annet holdes tilbake fra den forelderen.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 11 år
    Og mor og far har felles foreldreansvar
    Og journalen har:
      | element | art       | forløp   | henvisning |
      | A1      | avtale    | ORTOPEDI |            |
      | R1      | prøvesvar | ORTOPEDI |            |
      | M1      | melding   |          |            |

  Scenario: Mor ser alt, far bare timeavtaler
    Gitt tilgangen "T1" gir far bare innsyn i avtaler
    Når far ser på tidslinjen
    Så er svarene for far:
      | element | svar        | regel          |
      | A1      | innsyn      | main-rule      |
      | R1      | ikke innsyn | access-profile |
      | M1      | ikke innsyn | access-profile |
    Og begrunnelsen nevner ikke "T2"

  Scenario: Tilgangen for far gjelder ikke mor
    Gitt tilgangen "T1" gir far bare innsyn i avtaler
    Når mor ser på "R1"
    Så får mor innsyn etter regel "main-rule"
    Og begrunnelsen nevner ikke "T1"

  Scenario: Én navngitt forelder ser ingenting
    Gitt tilgangen "T2" gir mor ikke innsyn i noe
    Når mor ser på "A1"
    Så får mor ikke innsyn etter regel "access-profile"
    Og begrunnelsen nevner "T2"

  Scenariomal: To tilganger for samme forelder: bare det begge tillater, vises
    Gitt tilgangen "T3" gir far bare innsyn i avtaler, prøvesvar og meldinger
    Og tilgangen "T4" gir far bare innsyn i avtaler og meldinger
    Når far ser på "<element>"
    Så får far <svar> etter regel "<regel>"

    Eksempler:
      | element | svar        | regel          |
      | A1      | innsyn      | main-rule      |
      | M1      | innsyn      | main-rule      |
      | R1      | ikke innsyn | access-profile |

  Scenariomal: En tidsbegrenset tilgang
    Gitt tilgangen "T5" gir far bare innsyn i meldinger
    Og tilgangen "T5" gjelder til 01.02.2027 kl. 00:00
    Når far ser på "R1" den <tidspunkt>
    Så får far <svar> etter regel "<regel>"

    Eksempler:
      | tidspunkt            | svar        | regel          |
      | 31.01.2027 kl. 23:59 | ikke innsyn | access-profile |
      | 01.02.2027 kl. 00:00 | innsyn      | main-rule      |

  Scenario: Et unntak går foran tilgangen
    Gitt tilgangen "T6" gir far bare innsyn i avtaler
    Og unntaket "U1" holder avtalen "A1" tilbake fra far etter "pbrl-3-4-3"
    Når far ser på "A1"
    Så får far ikke innsyn etter regel "exemption"
    Og begrunnelsen nevner "U1"

  Scenario: Barnevernstjenesten med foreldreansvar kan også få begrenset tilgang
    Gitt barnevernstjenesten står i Folkeregisteret med ansvar "andre"
    Og tilgangen "T7" gir barnevernstjenesten bare innsyn i avtaler og meldinger
    Når barnevernstjenesten ser på "R1"
    Så får barnevernstjenesten ikke innsyn etter regel "access-profile"
    Og begrunnelsen nevner "T7"
