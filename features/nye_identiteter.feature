# language: no
Egenskap: Nytt fødselsnummer – det som er registrert på et D-nummer, gjelder fortsatt
  En forelder eller et barn med D-nummer får senere fødselsnummer. Folkeregisteret melder det
  nye nummeret og beholder det gamle i personens historikk. Et unntak, en tilpasset tilgang, en
  merking eller en vurdering som ble registrert på det gamle nummeret, gjelder på samme måte
  for det nye – ellers ville forelderen få se det helsepersonell holdt tilbake. Det samme
  gjelder den som spør med sitt gamle nummer.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 13 år
    Og mor og far har felles foreldreansvar
    Og journalen har et notat "NO1" i forløpet "BUP"
    Og journalen har en timeavtale "A1"

  Scenariomal: Unntaket overfor far ble registrert før han fikk fødselsnummer
    Gitt far fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00, kjent fra <kjent>
    Og unntaket "U1" holder forløpet "BUP" tilbake overfor far etter "pbrl-3-4-3"
    Og unntaket "U1" ble registrert 15.09.2026 kl. 10:00
    Når far ser på "NO1"
    Så får far ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og begrunnelsen nevner "U1"

    Eksempler: endringen kan være kjent fra dagens uttrekk fra Folkeregisteret, fra et tidligere, eller fra begge
      | kjent                       |
      | dagens og tidligere uttrekk |
      | bare dagens uttrekk         |
      | bare et tidligere uttrekk   |

  Scenario: Før far fikk fødselsnummer, gjaldt unntaket hans D-nummer
    Gitt far fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og unntaket "U1" holder forløpet "BUP" tilbake overfor far etter "pbrl-3-4-3"
    Og unntaket "U1" ble registrert 15.09.2026 kl. 10:00
    Når far ser på "NO1" den 20.09.2026 kl. 12:00
    Så får far ikke innsyn etter regel "exemption" (unntak fra innsyn)

  Scenario: Unntaket ble registrert etter at far fikk fødselsnummer, og far spør med sitt gamle D-nummer
    Gitt far fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og unntaket "U2" holder forløpet "BUP" tilbake overfor far etter "pbrl-3-4-3"
    Og unntaket "U2" ble registrert 15.10.2026 kl. 10:00
    Når far ser på "NO1" med D-nummeret sitt
    Så får far ikke innsyn etter regel "exemption" (unntak fra innsyn)
    Og begrunnelsen nevner "U2"

  Scenario: Et unntak overfor far, registrert på hans D-nummer, gjelder ikke mor
    Gitt far fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og unntaket "U1" holder forløpet "BUP" tilbake overfor far etter "pbrl-3-4-3"
    Og unntaket "U1" ble registrert 15.09.2026 kl. 10:00
    Når mor ser på "NO1"
    Så får mor innsyn etter regel "main-rule" (hovedregelen)

  Scenario: Far med D-nummer har foreldreansvaret også når han spør med det gamle nummeret
    Gitt far fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Når far ser på "A1" med D-nummeret sitt
    Så får far innsyn etter regel "main-rule" (hovedregelen)

  Scenariomal: Barnet fikk fødselsnummer: vurderingen gjelder barnet under begge numre
    Gitt barnet fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og vurderingen "V1" for forløpet "BUP" sier at barnet kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres
    Og vurderingen "V1" ble gjort 15.09.2026 kl. 10:00
    Når <hvem> ser på "NO1" med <nummer> sitt
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem   | nummer          | svar        | regel              | regelnavn                                |
      | mor    | fødselsnummeret | ikke innsyn | adolescent-wish    | ungdommens ønske                         |
      | barnet | fødselsnummeret | innsyn      | own-record-consent | eget innsyn når ungdommen samtykker selv |
      | barnet | D-nummeret      | innsyn      | own-record-consent | eget innsyn når ungdommen samtykker selv |

  Scenariomal: Det som holdes tilbake overfor barnet, gjelder barnet under begge numre
    Gitt barnet er 16 år
    Og barnet fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00, kjent fra <kjent>
    Og unntaket "U3" holder notatet "NO1" tilbake overfor barnet etter "pbrl-5-1-2"
    Og unntaket "U3" ble registrert <registrert>
    Når barnet ser på "NO1" med <nummer> sitt
    Så får barnet ikke innsyn etter regel "withheld-from-patient" (holdt tilbake overfor pasienten)
    Og begrunnelsen nevner "U3"

    Eksempler:
      | registrert           | nummer          | kjent                       |
      | 15.09.2026 kl. 10:00 | fødselsnummeret | dagens og tidligere uttrekk |
      | 15.10.2026 kl. 10:00 | D-nummeret      | dagens og tidligere uttrekk |
      | 15.09.2026 kl. 10:00 | fødselsnummeret | bare dagens uttrekk         |
      | 15.10.2026 kl. 10:00 | D-nummeret      | bare dagens uttrekk         |
      | 15.09.2026 kl. 10:00 | fødselsnummeret | bare et tidligere uttrekk   |
      | 15.10.2026 kl. 10:00 | D-nummeret      | bare et tidligere uttrekk   |

  Scenario: Barnet som spør med sitt gamle D-nummer, får sitt eget innsyn
    Gitt barnet er 16 år
    Og barnet fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Når barnet ser på "A1" med D-nummeret sitt
    Så får barnet innsyn etter regel "own-record-16" (eget innsyn fra 16 år)
