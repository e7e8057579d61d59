# language: no
Egenskap: Barnets eget innsyn
  Fra 16 år ser barnet hele sin egen journal (pbrl § 5-1 første ledd og § 4-3). Fra 12 til
  16 år ser barnet det helsepersonell har vurdert at barnet selv kan samtykke til. Ellers, og
  når barnets fødselsdato ikke er kjent, gir løsningen ikke barnet innsyn.
  Helsepersonell kan holde en journalopplysning tilbake overfor barnet selv når det er
  påtrengende nødvendig for å hindre fare for liv eller alvorlig helseskade, eller klart
  utilrådelig av hensyn til personer som står barnet nær (pbrl § 5-1 annet ledd). Foreldrenes
  innsyn endres ikke av det (§ 5-1 tredje ledd): unntaket nevner bare barnet.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har et prøvesvar "R1" i forløpet "UNGDOM"
    Og journalen har et notat "NO1" i forløpet "UNGDOM"

  Scenariomal: Barnets innsyn etter alder
    Gitt barnet er <alder> år
    Når barnet ser på "R1"
    Så får barnet <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | alder | svar        | regel         | regelnavn              |
      | 10    | ikke innsyn | default-deny  | ingen regel gir innsyn |
      | 13    | ikke innsyn | default-deny  | ingen regel gir innsyn |
      | 16    | innsyn      | own-record-16 | eget innsyn fra 16 år  |
      | 17    | innsyn      | own-record-16 | eget innsyn fra 16 år  |
      | 25    | innsyn      | own-record-16 | eget innsyn fra 16 år  |

  Scenario: 13 år: barnet ser det det selv kan samtykke til
    Gitt barnet er 13 år
    Og vurderingen "V1" for forløpet "UNGDOM" sier at barnet kan samtykke selv og ikke har noe imot at foreldrene informeres
    Når barnet ser på "R1"
    Så får barnet innsyn etter regel "own-record-consent" (eget innsyn når ungdommen samtykker selv)
    Og begrunnelsen nevner "V1"

  Scenario: Et unntak overfor foreldrene gjelder ikke barnet
    Gitt barnet er 16 år
    Og unntaket "U1" holder prøvesvaret "R1" tilbake overfor alle foreldre etter "pbrl-3-4-3"
    Når barnet ser på "R1"
    Så får barnet innsyn etter regel "own-record-16" (eget innsyn fra 16 år)
    Og begrunnelsen nevner ikke "U1"

  Scenario: Barnets fødselsdato er ukjent: barnet får ikke innsyn
    Gitt barnets fødselsdato er ukjent
    Når barnet ser på "R1"
    Så får barnet ikke innsyn etter regel "default-deny" (ingen regel gir innsyn)

  Scenario: Barnets fødselsdato er ukjent: foreldrene får ikke innsyn
    Gitt barnets fødselsdato er ukjent
    Når mor ser på "R1"
    Så får mor ikke innsyn etter regel "birth-date-unknown" (fødselsdatoen er ukjent)

  Scenario: 17 år: et notat holdes tilbake overfor barnet selv
    Gitt barnet er 17 år
    Og unntaket "U2" holder notatet "NO1" tilbake overfor barnet etter "pbrl-5-1-2"
    Når barnet ser på tidslinjen
    Så er svarene for barnet:
      | opplysning | svar        | regel                 | regelnavn                       |
      | R1         | innsyn      | own-record-16         | eget innsyn fra 16 år           |
      | NO1        | ikke innsyn | withheld-from-patient | holdt tilbake overfor pasienten |

  Scenario: 14 år: det som holdes tilbake overfor barnet, går foran barnets samtykke
    Gitt barnet er 14 år
    Og vurderingen "V2" for forløpet "UNGDOM" sier at barnet kan samtykke selv
    Og unntaket "U3" holder notatet "NO1" tilbake overfor barnet etter "pbrl-5-1-2"
    Når barnet ser på "NO1"
    Så får barnet ikke innsyn etter regel "withheld-from-patient" (holdt tilbake overfor pasienten)
    Og begrunnelsen nevner "U3"
    Og hjemmelen omfatter "pbrl-5-1-2"

  Scenario: Det som holdes tilbake overfor barnet, ser foreldrene fortsatt
    Foreldrenes innsyn endres ikke: vil helsepersonell holde notatet tilbake også overfor en
    forelder, er det et eget unntak som nevner den forelderen.

    Gitt barnet er 14 år
    Og unntaket "U4" holder notatet "NO1" tilbake overfor barnet etter "pbrl-5-1-2"
    Når mor ser på "NO1"
    Så får mor innsyn etter regel "main-rule" (hovedregelen)
    Og begrunnelsen nevner ikke "U4"

  Scenario: Et unntak overfor alle foreldre holder ikke noe tilbake overfor barnet
    Gitt barnet er 16 år
    Og unntaket "U5" holder notatet "NO1" tilbake overfor alle foreldre etter "pbrl-5-1-2"
    Når barnet ser på "NO1"
    Så får barnet innsyn etter regel "own-record-16" (eget innsyn fra 16 år)

  Scenario: Det som holdes tilbake overfor barnet, gjelder også når barnet logger inn med sitt tidligere D-nummer
    Gitt barnet er 17 år
    Og barnet fikk fødselsnummer i stedet for D-nummer 01.10.2026 kl. 00:00
    Og unntaket "U6" holder notatet "NO1" tilbake overfor barnet etter "pbrl-5-1-2"
    Og unntaket "U6" ble registrert 15.11.2026 kl. 10:00
    Når barnet ser på "NO1" med D-nummeret sitt
    Så får barnet ikke innsyn etter regel "withheld-from-patient" (holdt tilbake overfor pasienten)
    Og begrunnelsen nevner "U6"
