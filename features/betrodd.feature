# language: no
Egenskap: Det barnet betrodde mens ønsket gjaldt
  Når barnets ønske om at foreldrene ikke informeres, slutter å gjelde (vurderingen utløper
  eller trekkes tilbake), ser foreldrene igjen det som skrives etterpå. Det som ble skrevet
  mens ønsket gjaldt, ble betrodd i tillit til at foreldrene ikke skulle se det, og forblir
  skjult for dem (pbrl § 3-4 annet ledd, den personvernvennlige lesningen). Helsepersonell kan
  frigi det når vurderingen trekkes tilbake. En journalopplysning uten dato regnes som betrodd.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 14 år
    Og mor og far har felles foreldreansvar
    Og journalen har:
      | opplysning | type       | forløp       | skrevet              |
      | NF1        | notat      | HELSESTASJON | 01.08.2026 kl. 10:00 |
      | NU1        | notat      | HELSESTASJON | 15.09.2026 kl. 10:00 |
      | NE1        | notat      | HELSESTASJON | 15.11.2026 kl. 10:00 |
      | NX1        | notat      | HELSESTASJON |                      |
      | A1         | timeavtale |              | 15.09.2026 kl. 10:00 |
    Og vurderingen "V1" for forløpet "HELSESTASJON" sier at barnet av grunner som bør respekteres ikke vil at foreldrene informeres
    Og vurderingen "V1" gjelder fra 01.09.2026 kl. 00:00

  Scenario: Mens ønsket gjelder, ser foreldrene ingenting av forløpet
    Når mor ser på tidslinjen den 01.10.2026 kl. 12:00
    Så er svarene for mor:
      | opplysning | svar        | regel           | regelnavn        |
      | NF1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | NU1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | NE1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | NX1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | A1         | innsyn      | main-rule       | hovedregelen     |

  Scenario: Etter at ønsket er utløpt, forblir det som ble betrodd, skjult
    Gitt vurderingen "V1" gjelder til 01.11.2026 kl. 00:00
    Når far ser på tidslinjen
    Så er svarene for far:
      | opplysning | svar        | regel           | regelnavn        |
      | NF1        | innsyn      | main-rule       | hovedregelen     |
      | NU1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | NE1        | innsyn      | main-rule       | hovedregelen     |
      | NX1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | A1         | innsyn      | main-rule       | hovedregelen     |

  Scenario: Det betrodde notatet er skjult fordi det ble skrevet mens ønsket gjaldt
    Gitt vurderingen "V1" gjelder til 01.11.2026 kl. 00:00
    Når mor ser på "NU1"
    Så får mor ikke innsyn etter regel "adolescent-wish" (ungdommens ønske)
    Og begrunnelsen nevner "V1"
    Og begrunnelsen har koden "confided-under-wish"

  Scenario: Etter at vurderingen er trukket tilbake uten frigivelse, forblir det som ble betrodd, skjult
    Gitt vurderingen "V1" ble trukket tilbake 01.11.2026 kl. 00:00
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar        | regel           | regelnavn        |
      | NF1        | innsyn      | main-rule       | hovedregelen     |
      | NU1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | NE1        | innsyn      | main-rule       | hovedregelen     |
      | NX1        | ikke innsyn | adolescent-wish | ungdommens ønske |
      | A1         | innsyn      | main-rule       | hovedregelen     |

  Scenario: Når helsepersonell frigir det som ble betrodd, ser foreldrene hele forløpet igjen
    Gitt vurderingen "V1" ble trukket tilbake 01.11.2026 kl. 00:00, og det barnet betrodde mens den gjaldt, ble frigitt for foreldrene
    Når mor ser på tidslinjen
    Så er svarene for mor:
      | opplysning | svar   | regel     | regelnavn    |
      | NF1        | innsyn | main-rule | hovedregelen |
      | NU1        | innsyn | main-rule | hovedregelen |
      | NE1        | innsyn | main-rule | hovedregelen |
      | NX1        | innsyn | main-rule | hovedregelen |
      | A1         | innsyn | main-rule | hovedregelen |

