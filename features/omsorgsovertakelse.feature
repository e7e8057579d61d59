# language: no
Egenskap: Omsorgsovertakelse – barnevernstjenesten har overtatt omsorgen
  Når barnevernstjenesten har overtatt omsorgen for et barn (barnevernsloven), samtykker den,
  ikke foreldrene, til helsehjelp for barnet (pbrl § 4-4). Foreldrene har ofte fortsatt
  foreldreansvaret i Folkeregisteret. Loven avgjør ikke uttrykkelig hva foreldrene da skal se
  digitalt. Løsningen velger den lesningen som verner barnet: mens vedtaket gjelder, ser den
  barnevernstjenesten som er nevnt i vedtaket, journalen slik foreldre med foreldreansvar ellers
  ville gjort, og foreldrenes digitale innsyn er stanset. Foreldrene kan fortsatt be
  helsetjenesten om opplysninger.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 8 år
    Og mor og far har felles foreldreansvar
    Og journalen har et prøvesvar "R1"
    Og vedtaket "O1" om omsorgsovertakelse gir barnevernstjenesten omsorgen for barnet fra 01.09.2026 kl. 00:00

  Scenario: Barnevernstjenesten som er nevnt i vedtaket, ser journalen
    Når barnevernstjenesten ser på "R1"
    Så får barnevernstjenesten innsyn etter regel "main-rule" (hovedregelen)

  Scenariomal: Foreldrenes innsyn er stanset mens vedtaket gjelder
    Når <hvem> ser på "R1"
    Så får <hvem> ikke innsyn etter regel "care-order" (omsorgsovertakelse)
    Og begrunnelsen nevner "O1"
    Og hjemmelen omfatter "pbrl-4-4"

    Eksempler:
      | hvem |
      | mor  |
      | far  |

  Scenariomal: Vedtaket gjelder fra den dagen omsorgen ble overtatt
    Når <hvem> ser på "R1" den <tidspunkt>
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem                | tidspunkt            | svar        | regel                      | regelnavn           |
      | mor                 | 31.08.2026 kl. 23:59 | innsyn      | main-rule                  | hovedregelen        |
      | mor                 | 01.09.2026 kl. 00:00 | ikke innsyn | care-order                 | omsorgsovertakelse  |
      | barnevernstjenesten | 31.08.2026 kl. 23:59 | ikke innsyn | no-parental-responsibility | uten foreldreansvar |
      | barnevernstjenesten | 01.09.2026 kl. 00:00 | innsyn      | main-rule                  | hovedregelen        |

  Scenariomal: Når vedtaket opphører, får foreldrene innsyn igjen og barnevernstjenesten ikke
    Gitt vedtaket "O1" gjelder til 01.12.2026 kl. 00:00
    Når <hvem> ser på "R1" den <tidspunkt>
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem                | tidspunkt            | svar        | regel                      | regelnavn           |
      | far                 | 30.11.2026 kl. 23:59 | ikke innsyn | care-order                 | omsorgsovertakelse  |
      | far                 | 01.12.2026 kl. 00:00 | innsyn      | main-rule                  | hovedregelen        |
      | barnevernstjenesten | 30.11.2026 kl. 23:59 | innsyn      | main-rule                  | hovedregelen        |
      | barnevernstjenesten | 01.12.2026 kl. 00:00 | ikke innsyn | no-parental-responsibility | uten foreldreansvar |

  Scenario: Et vedtak som er trukket tilbake, stanser ikke lenger foreldrenes innsyn
    Gitt vedtaket "O1" ble trukket tilbake 15.11.2026 kl. 12:00
    Når mor ser på "R1"
    Så får mor innsyn etter regel "main-rule" (hovedregelen)
    Og begrunnelsen nevner ikke "O1"

  Scenario: Et unntak gjelder også barnevernstjenesten
    Gitt unntaket "U1" holder prøvesvaret "R1" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Når barnevernstjenesten ser på "R1"
    Så får barnevernstjenesten ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og begrunnelsen nevner "U1"

  Scenario: En annen barnevernstjeneste enn den som er nevnt i vedtaket, får ikke innsyn
    Når nabokommunens barnevernstjeneste ser på "R1"
    Så får nabokommunens barnevernstjeneste ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)
