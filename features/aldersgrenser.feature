# language: no
Egenskap: Aldersgrenser – barnet fyller år ved midnatt, norsk tid
  Barnets alder regnes etter datoen i Norge (Europe/Oslo), også når klokken stilles om til
  sommertid eller vintertid. Barnet fyller år kl. 00:00 norsk tid på fødselsdagen. Tidspunkter
  kan skrives som norsk tid («13.06.2026 kl. 23:59») eller med UTC-forskyvning
  («2026-03-28T23:00Z» er kl. 00:00 norsk tid 29. mars).
  Barn født 29. februar fyller år 28. februar i år uten 29. februar. Ingen norsk regel avgjør
  dette; lesningen er valgt fordi den aldri gir foreldrene innsyn lenger enn barnets alder tilsier.

  Bakgrunn:
    Gitt mor og far har felles foreldreansvar
    Og journalen har et dokument "D1" i forløpet "P1"

  Scenariomal: 12-årsdagen faller på dagen klokken stilles til sommertid
    Barnet fyller 12 år søndag 29. mars 2026, natten da klokken stilles fram. Fra 12 år gjelder
    helsepersonellets vurdering av barnets ønske og av om barnet selv kan samtykke.

    Gitt barnet er født 29.03.2014
    Og vurderingen "V1" for forløpet "P1" sier at barnet kan samtykke selv og av grunner som bør respekteres ikke vil at foreldrene informeres
    Når <hvem> ser på "D1" <tidspunkt>
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem   | tidspunkt              | svar        | regel              | regelnavn                                |
      | mor    | 2026-03-28T23:59+01:00 | innsyn      | main-rule          | hovedregelen                             |
      | mor    | 2026-03-29T00:00+01:00 | ikke innsyn | adolescent-wish    | ungdommens ønske                         |
      | mor    | 2026-03-28T23:30Z      | ikke innsyn | adolescent-wish    | ungdommens ønske                         |
      | mor    | 2026-03-29T03:00+02:00 | ikke innsyn | adolescent-wish    | ungdommens ønske                         |
      | barnet | 2026-03-28T22:59Z      | ikke innsyn | default-deny       | ingen regel gir innsyn                   |
      | barnet | 2026-03-28T23:00Z      | innsyn      | own-record-consent | eget innsyn når ungdommen samtykker selv |

  Scenariomal: 16-årsdagen faller på dagen klokken stilles tilbake til vintertid
    Barnet fyller 16 år søndag 25. oktober 2026, natten da klokken stilles tilbake.

    Gitt barnet er født 25.10.2010
    Når <hvem> ser på "D1" <tidspunkt>
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem   | tidspunkt              | svar        | regel         | regelnavn                |
      | far    | 2026-10-24T23:59+02:00 | innsyn      | main-rule     | hovedregelen             |
      | far    | 2026-10-25T00:00+02:00 | ikke innsyn | child-16-17   | barnet er 16 eller 17 år |
      | far    | 2026-10-24T22:00Z      | ikke innsyn | child-16-17   | barnet er 16 eller 17 år |
      | barnet | 2026-10-24T21:59Z      | ikke innsyn | default-deny  | ingen regel gir innsyn   |
      | barnet | 2026-10-25T00:00+02:00 | innsyn      | own-record-16 | eget innsyn fra 16 år    |

  Scenariomal: 18-årsdagen: nødvendig informasjon vises til midnatt
    Gitt barnet er født 14.06.2008
    Og merkingen "N1" viser dokumentet "D1" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når <hvem> ser på "D1" den <tidspunkt>
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem   | tidspunkt            | svar        | regel                 | regelnavn                                |
      | mor    | 13.06.2026 kl. 23:59 | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | mor    | 14.06.2026 kl. 00:00 | ikke innsyn | child-adult           | barnet er myndig                         |
      | barnet | 14.06.2026 kl. 00:00 | innsyn      | own-record-16         | eget innsyn fra 16 år                    |

  Scenariomal: Født 29. februar: 18 år 28. februar i et år uten skuddag
    Gitt barnet er født 29.02.2008
    Og merkingen "N1" viser dokumentet "D1" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når mor ser på "D1" den <tidspunkt>
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel                 | regelnavn                                |
      | 27.02.2026 kl. 23:59 | innsyn      | necessary-information | nødvendig for å ivareta foreldreansvaret |
      | 28.02.2026 kl. 00:00 | ikke innsyn | child-adult           | barnet er myndig                         |
      | 01.03.2026 kl. 00:00 | ikke innsyn | child-adult           | barnet er myndig                         |

  Scenariomal: Født 29. februar: 16 år på skuddagen i et skuddår
    Gitt barnet er født 29.02.2008
    Når far ser på "D1" den <tidspunkt>
    Så får far <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel       | regelnavn                |
      | 28.02.2024 kl. 23:59 | innsyn      | main-rule   | hovedregelen             |
      | 29.02.2024 kl. 00:00 | ikke innsyn | child-16-17 | barnet er 16 eller 17 år |

