# language: no
Egenskap: Gråsonen – barn fra 12 til 16 år som selv kan samtykke
  For et forløp eller en henvisning vurderer helsepersonell om et barn mellom 12 og 16 år selv
  kan samtykke til helsehjelpen. Kan barnet det, og vil barnet av grunner som bør respekteres
  ikke at foreldrene informeres, ser foreldrene ingenting av det (pbrl § 3-4 annet ledd), og
  barnet ser det selv. Vurderingen gjelder bare mens barnet er 12–15 år.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har et notat "NO1" i forløpet "HELSESTASJON" fra henvisningen "H3"
    Og journalen har en avtale "A9"

  Scenariomal: Hva foreldrene og barnet ser, avhenger av vurderingen
    Gitt barnet er 14 år
    Og vurderingen "V1" for forløpet "HELSESTASJON" sier at barnet <kan> samtykke selv, og at foreldrene <informeres> informeres
    Når <hvem> ser på "NO1"
    Så får <hvem> <svar> etter regel "<regel>"

    Eksempler:
      | kan      | informeres | hvem   | svar        | regel              |
      | kan      | ikke skal  | mor    | ikke innsyn | adolescent-consent |
      | kan      | ikke skal  | barnet | innsyn      | own-record-consent |
      | kan      | skal       | far    | innsyn      | main-rule          |
      | kan      | skal       | barnet | innsyn      | own-record-consent |
      | ikke kan | skal       | mor    | innsyn      | main-rule          |
      | ikke kan | skal       | barnet | ikke innsyn | default-deny       |

  Scenario: Vurderingen gjelder bare forløpet den er gjort for
    Gitt barnet er 14 år
    Og vurderingen "V1" for forløpet "HELSESTASJON" sier at barnet kan samtykke selv, og at foreldrene ikke skal informeres
    Når mor ser på "A9"
    Så får mor innsyn etter regel "main-rule"

  Scenario: Vurdering for alt som hører til én henvisning
    Gitt barnet er 12 år
    Og vurderingen "V2" for henvisningen "H3" sier at barnet kan samtykke selv, og at foreldrene ikke skal informeres
    Når far ser på "NO1"
    Så får far ikke innsyn etter regel "adolescent-consent"
    Og begrunnelsen nevner "V2"
    Og hjemmelen omfatter "pbrl-3-4-2"

  Scenario: To vurderinger av samme forløp: den som skjermer barnet, gjelder
    Gitt barnet er 15 år
    Og vurderingen "V3" for forløpet "HELSESTASJON" sier at barnet ikke kan samtykke selv, og at foreldrene skal informeres
    Og vurderingen "V4" for henvisningen "H3" sier at barnet kan samtykke selv, og at foreldrene ikke skal informeres
    Når mor ser på "NO1"
    Så får mor ikke innsyn etter regel "adolescent-consent"
    Og begrunnelsen nevner "V4"

  Scenario: En vurdering som er utløpt, gjelder ikke lenger
    Gitt barnet er 14 år
    Og vurderingen "V5" for forløpet "HELSESTASJON" sier at barnet kan samtykke selv, og at foreldrene ikke skal informeres
    Og vurderingen "V5" gjelder til 01.11.2026 kl. 00:00
    Når mor ser på "NO1"
    Så får mor innsyn etter regel "main-rule"

  Scenario: Når barnet fyller 16 år, avgjør alderen og ikke vurderingen
    Gitt barnet er født 10.01.2011
    Og vurderingen "V6" for forløpet "HELSESTASJON" sier at barnet kan samtykke selv, og at foreldrene skal informeres
    Og vurderingen "V6" ble gjort 15.03.2025 kl. 10:00
    Når mor ser på "NO1" den 20.01.2027 kl. 12:00
    Så får mor ikke innsyn etter regel "child-16-17"

  Scenario: En vurdering gjort før barnet fylte 12 år blir avvist
    Gitt barnet er født 10.01.2015
    Og vurderingen "V7" for forløpet "HELSESTASJON" sier at barnet kan samtykke selv, og at foreldrene ikke skal informeres
    Og vurderingen "V7" ble gjort 09.01.2027 kl. 23:59
    Når mor ser på "NO1" den 10.01.2027 kl. 12:00
    Så avvises vurderingen "V7" fordi barnet ikke var 12–15 år da den ble gjort
