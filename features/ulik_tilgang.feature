# language: no
Egenskap: Ulik tilgang for foreldrene
  Etter samtale med barnet kan helsepersonell gi foreldrene ulik tilgang: for eksempel mor alt
  og far bare timeavtaler, eller én navngitt forelder ingenting. En tilpasset tilgang sier
  hvilke typer journalopplysninger forelderen ser; alt annet holdes tilbake overfor den
  forelderen.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 11 år
    Og mor og far har felles foreldreansvar
    Og journalen har:
      | opplysning | type       | forløp   |
      | A1         | timeavtale | ORTOPEDI |
      | R1         | prøvesvar  | ORTOPEDI |
      | M1         | melding    |          |

  Scenario: Mor ser alt, far bare timeavtaler
    Gitt tilgangen "T1" gir far bare innsyn i timeavtaler
    Når far ser på tidslinjen
    Så er svarene for far:
      | opplysning | svar        | regel          | regelnavn                                  |
      | A1         | innsyn      | main-rule      | hovedregelen                               |
      | R1         | ikke innsyn | access-profile | tilpasset tilgang for den enkelte forelder |
      | M1         | ikke innsyn | access-profile | tilpasset tilgang for den enkelte forelder |

  Scenario: Tilgangen for far gjelder ikke mor
    Gitt tilgangen "T1" gir far bare innsyn i timeavtaler
    Når mor ser på "R1"
    Så får mor innsyn etter regel "main-rule" (hovedregelen)
    Og begrunnelsen nevner ikke "T1"

  Scenario: Én navngitt forelder ser ingenting
    Gitt tilgangen "T2" gir mor ikke innsyn i noe
    Når mor ser på "A1"
    Så får mor ikke innsyn etter regel "access-profile" (tilpasset tilgang for den enkelte forelder)
    Og begrunnelsen nevner "T2"

  Scenariomal: To tilganger for samme forelder: bare det begge tillater, vises
    Gitt tilgangen "T3" gir far bare innsyn i timeavtaler, prøvesvar og meldinger
    Og tilgangen "T4" gir far bare innsyn i timeavtaler og meldinger
    Når far ser på "<opplysning>"
    Så får far <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | opplysning | svar        | regel          | regelnavn                                  |
      | A1         | innsyn      | main-rule      | hovedregelen                               |
      | M1         | innsyn      | main-rule      | hovedregelen                               |
      | R1         | ikke innsyn | access-profile | tilpasset tilgang for den enkelte forelder |

  Scenariomal: En tidsbegrenset tilgang
    Gitt tilgangen "T5" gir far bare innsyn i meldinger
    Og tilgangen "T5" gjelder til 01.02.2027 kl. 00:00
    Når far ser på "R1" den <tidspunkt>
    Så får far <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel          | regelnavn                                  |
      | 31.01.2027 kl. 23:59 | ikke innsyn | access-profile | tilpasset tilgang for den enkelte forelder |
      | 01.02.2027 kl. 00:00 | innsyn      | main-rule      | hovedregelen                               |

  Scenario: Et unntak går foran tilgangen
    Gitt tilgangen "T6" gir far bare innsyn i timeavtaler
    Og unntaket "U1" holder timeavtalen "A1" tilbake overfor far etter "pbrl-3-4-3"
    Når far ser på "A1"
    Så får far ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og begrunnelsen nevner "U1"

  Scenario: En tilgang registrert mens far hadde D-nummer, gjelder også etter at han fikk fødselsnummer
    Gitt far fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og tilgangen "T8" gir far bare innsyn i timeavtaler
    Og tilgangen "T8" ble registrert 01.09.2026 kl. 10:00
    Når far ser på "R1"
    Så får far ikke innsyn etter regel "access-profile" (tilpasset tilgang for den enkelte forelder)
    Og begrunnelsen nevner "T8"

  Scenario: Barnevernstjenesten med foreldreansvar kan også få tilpasset tilgang
    Gitt barnevernstjenesten står i Folkeregisteret med ansvar "andre"
    Og tilgangen "T7" gir barnevernstjenesten bare innsyn i timeavtaler og meldinger
    Når barnevernstjenesten ser på "R1"
    Så får barnevernstjenesten ikke innsyn etter regel "access-profile" (tilpasset tilgang for den enkelte forelder)
    Og begrunnelsen nevner "T7"
