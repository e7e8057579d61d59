# language: no
Egenskap: Gråsonen – barn fra 12 til 16 år: barnets ønske og barnets samtykke
  For et forløp eller en henvisning kan helsepersonell registrere to ting hver for seg.
  Barnets ønske: vil barnet av grunner som bør respekteres ikke at foreldrene informeres, ser
  foreldrene ingenting av det (pbrl § 3-4 annet ledd). Loven stiller ikke krav om at barnet
  selv kan samtykke for at ønsket skal respekteres.
  Barnets samtykkekompetanse: kan barnet selv samtykke til helsehjelpen (pbrl § 4-3 første
  ledd bokstav b), ser barnet det i sitt eget innsyn.
  Det barnet betrodde mens ønsket gjaldt, forblir skjult for foreldrene også etter at ønsket er
  utløpt eller trukket tilbake, med mindre helsepersonell frigir det når vurderingen trekkes
  tilbake. En journalopplysning uten dato regnes som betrodd (i tvil: skjult).
  Vurderingen gjelder bare mens barnet er 12–15 år.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har et notat "NO1" i forløpet "HELSESTASJON" fra henvisningen "H3"
    Og journalen har en timeavtale "A9"

  Scenariomal: Hva foreldrene og barnet ser, avhenger av vurderingen
    Gitt barnet er 14 år
    Og vurderingen "V1" for forløpet "HELSESTASJON" sier at barnet <vurdering>
    Når <hvem> ser på "NO1"
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | vurdering                                                                             | hvem   | svar        | regel              | regelnavn                                |
      | kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres | mor    | ikke innsyn | adolescent-wish    | ungdommens ønske                         |
      | kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres | barnet | innsyn      | own-record-consent | eget innsyn når ungdommen samtykker selv |
      | kan samtykke selv og ikke har noe imot at foreldrene informeres                       | far    | innsyn      | main-rule          | hovedregelen                             |
      | kan samtykke selv og ikke har noe imot at foreldrene informeres                       | barnet | innsyn      | own-record-consent | eget innsyn når ungdommen samtykker selv |
      | ikke kan samtykke selv og ikke har noe imot at foreldrene informeres                  | mor    | innsyn      | main-rule          | hovedregelen                             |
      | ikke kan samtykke selv og ikke har noe imot at foreldrene informeres                  | barnet | ikke innsyn | default-deny       | ingen regel gir innsyn                   |

  Scenariomal: Barnets ønske respekteres også når barnet ikke selv kan samtykke
    Gitt barnet er 13 år
    Og vurderingen "V2" for forløpet "HELSESTASJON" sier at barnet <vurdering>
    Når <hvem> ser på "NO1"
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | vurdering                                                                                  | hvem   | svar        | regel           | regelnavn              |
      | av grunner som bør respekteres ikke vil at foreldrene informeres                           | mor    | ikke innsyn | adolescent-wish | ungdommens ønske       |
      | av grunner som bør respekteres ikke vil at foreldrene informeres                           | barnet | ikke innsyn | default-deny    | ingen regel gir innsyn |
      | ikke kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres | far    | ikke innsyn | adolescent-wish | ungdommens ønske       |
      | ikke kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres | barnet | ikke innsyn | default-deny    | ingen regel gir innsyn |

  Scenariomal: Barnet som selv kan samtykke, uten at ønsket er vurdert: barnet og foreldrene ser det
    Gitt barnet er 15 år
    Og vurderingen "V3" for forløpet "HELSESTASJON" sier at barnet kan samtykke selv
    Når <hvem> ser på "NO1"
    Så får <hvem> innsyn etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem   | regel              | regelnavn                                |
      | barnet | own-record-consent | eget innsyn når ungdommen samtykker selv |
      | mor    | main-rule          | hovedregelen                             |

  Scenario: Vurderingen gjelder bare forløpet den er gjort for
    Gitt barnet er 14 år
    Og vurderingen "V1" for forløpet "HELSESTASJON" sier at barnet av grunner som bør respekteres ikke vil at foreldrene informeres
    Når mor ser på "A9"
    Så får mor innsyn etter regel "main-rule" (hovedregelen)
    Og begrunnelsen nevner ikke "V1"

  Scenario: Vurdering for alt som hører til én henvisning
    Gitt barnet er 12 år
    Og vurderingen "V2" for henvisningen "H3" sier at barnet av grunner som bør respekteres ikke vil at foreldrene informeres
    Når far ser på "NO1"
    Så får far ikke innsyn etter regel "adolescent-wish" (ungdommens ønske)
    Og begrunnelsen nevner "V2"
    Og hjemmelen omfatter "pbrl-3-4-2"

  Scenario: To vurderinger som dekker samme notat: den som skjermer barnet, gjelder
    Gitt barnet er 15 år
    Og vurderingen "V3" for forløpet "HELSESTASJON" sier at barnet ikke kan samtykke selv og ikke har noe imot at foreldrene informeres
    Og vurderingen "V4" for henvisningen "H3" sier at barnet av grunner som bør respekteres ikke vil at foreldrene informeres
    Når mor ser på "NO1"
    Så får mor ikke innsyn etter regel "adolescent-wish" (ungdommens ønske)
    Og begrunnelsen nevner "V4"
    Og begrunnelsen nevner ikke "V3"

  Scenario: Når barnet fyller 16 år, avgjør alderen og ikke vurderingen
    Gitt barnet er født 10.01.2011
    Og vurderingen "V6" for forløpet "HELSESTASJON" sier at barnet kan samtykke selv og ikke har noe imot at foreldrene informeres
    Og vurderingen "V6" ble gjort 15.03.2025 kl. 10:00
    Når mor ser på "NO1" den 20.01.2027 kl. 12:00
    Så får mor ikke innsyn etter regel "child-16-17" (barnet er 16 eller 17 år)

  Scenario: En vurdering gjort før barnet fylte 12 år blir avvist
    Gitt barnet er født 10.01.2015
    Og vurderingen "V7" for forløpet "HELSESTASJON" sier at barnet kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres
    Og vurderingen "V7" ble gjort 09.01.2027 kl. 23:59
    Når mor ser på "NO1" den 10.01.2027 kl. 12:00
    Så avvises vurderingen "V7" fordi barnet ikke var 12–15 år da den ble gjort
