# language: no
Egenskap: Barnets eget innsyn
  Fra 16 år ser barnet hele sin egen journal (pbrl § 5-1 første ledd og § 4-3). Fra 12 til
  16 år ser barnet det helsepersonell har vurdert at barnet selv kan samtykke til. Ellers, og
  når barnets fødselsdato ikke er kjent, gir løsningen ikke barnet innsyn.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har et prøvesvar "R1" i forløpet "UNGDOM"

  Scenariomal: Barnets innsyn etter alder
    Gitt barnet er <alder> år
    Når barnet ser på "R1"
    Så får barnet <svar> etter regel "<regel>"

    Eksempler:
      | alder | svar        | regel         |
      | 10    | ikke innsyn | default-deny  |
      | 13    | ikke innsyn | default-deny  |
      | 16    | innsyn      | own-record-16 |
      | 17    | innsyn      | own-record-16 |
      | 25    | innsyn      | own-record-16 |

  Scenario: 13 år: barnet ser det det selv kan samtykke til
    Gitt barnet er 13 år
    Og vurderingen "V1" for forløpet "UNGDOM" sier at barnet kan samtykke selv, og at foreldrene skal informeres
    Når barnet ser på "R1"
    Så får barnet innsyn etter regel "own-record-consent"
    Og begrunnelsen nevner "V1"

  Scenario: Et unntak overfor foreldrene gjelder ikke barnet
    Gitt barnet er 16 år
    Og unntaket "U1" holder prøvesvaret "R1" tilbake fra alle foreldre etter "pbrl-3-4-3"
    Når barnet ser på "R1"
    Så får barnet innsyn etter regel "own-record-16"

  Scenario: Barnets fødselsdato er ukjent: barnet får ikke innsyn
    Gitt barnets fødselsdato er ukjent
    Når barnet ser på "R1"
    Så får barnet ikke innsyn etter regel "default-deny"

  Scenario: Barnets fødselsdato er ukjent: foreldrene får ikke innsyn
    Gitt barnets fødselsdato er ukjent
    Når mor ser på "R1"
    Så får mor ikke innsyn etter regel "birth-date-unknown"
