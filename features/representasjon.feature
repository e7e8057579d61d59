# language: no
Egenskap: Representasjon og adressebeskyttelse – hvem som har foreldreansvar
  Hvem som har foreldreansvar, hentes fra Folkeregisteret. Opplysninger som er eldre enn sju
  dager, eller som mangler, gir ikke innsyn: heller nei enn feil person. Opplysninger med et
  hentetidspunkt mer enn fem minutter fram i tid stoles heller ikke på. Barn med
  adressebeskyttelse «fortrolig» eller «strengt fortrolig» kan ikke representeres digitalt;
  «klientadresse» hindrer ikke innsyn. Står foreldreansvaret som «ukjent», har ingen innsyn.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 9 år
    Og journalen har et dokument "D1"

  Scenario: Uten opplysninger fra Folkeregisteret får ingen forelder innsyn
    Gitt opplysningene fra Folkeregisteret mangler
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-current-representation"

  Scenariomal: Opplysningene fra Folkeregisteret må være ferske
    Gitt mor og far har felles foreldreansvar
    Og opplysningene fra Folkeregisteret ble hentet <alder> før oppslaget
    Når mor ser på "D1"
    Så får mor <svar> etter regel "<regel>"

    Eksempler:
      | alder                | svar        | regel                     |
      | 6 dager              | innsyn      | main-rule                 |
      | 7 dager              | innsyn      | main-rule                 |
      | 7 dager og 1 minutt  | ikke innsyn | no-current-representation |
      | 30 dager             | ikke innsyn | no-current-representation |

  Scenariomal: Opplysninger hentet fram i tid stoles på bare innenfor klokkeavviket
    Gitt mor og far har felles foreldreansvar
    Og opplysningene fra Folkeregisteret ble hentet <avvik> etter oppslaget
    Når far ser på "D1"
    Så får far <svar> etter regel "<regel>"

    Eksempler:
      | avvik       | svar        | regel                     |
      | 5 minutter  | innsyn      | main-rule                 |
      | 6 minutter  | ikke innsyn | no-current-representation |
      | 2 dager     | ikke innsyn | no-current-representation |

  Scenariomal: Adressebeskyttelse
    Gitt mor og far har felles foreldreansvar
    Og barnet har adressebeskyttelse "<gradering>"
    Når mor ser på "D1"
    Så får mor <svar> etter regel "<regel>"

    Eksempler:
      | gradering        | svar        | regel              |
      | fortrolig        | ikke innsyn | address-protection |
      | strengtFortrolig | ikke innsyn | address-protection |
      | klientadresse    | innsyn      | main-rule          |
      | ugradert         | innsyn      | main-rule          |

  Scenario: Foreldreansvar registrert som ukjent gir ingen innsyn
    Gitt foreldreansvaret står som "ukjent" i Folkeregisteret
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-parental-responsibility"

  Scenario: En forelder som står med ansvar "ukjent", har ikke foreldreansvar
    Gitt far står i Folkeregisteret med ansvar "ukjent"
    Når far ser på "D1"
    Så får far ikke innsyn etter regel "no-parental-responsibility"

  Scenario: Motstridende opplysninger: både kjent og ukjent ansvar for samme forelder
    Gitt mor står i Folkeregisteret med ansvar "mor"
    Og mor står i Folkeregisteret med ansvar "ukjent"
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-parental-responsibility"

  Scenario: Barnevernstjenesten har foreldreansvaret
    Gitt barnevernstjenesten har foreldreansvaret alene
    Når barnevernstjenesten ser på "D1"
    Så får barnevernstjenesten innsyn etter regel "main-rule"

  Scenario: Når barnevernstjenesten har foreldreansvaret alene, har ikke mor innsyn
    Gitt barnevernstjenesten har foreldreansvaret alene
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-parental-responsibility"

  Scenario: Adressebeskyttelse gjelder også barnevernstjenesten
    Gitt barnevernstjenesten har foreldreansvaret alene
    Og barnet har adressebeskyttelse "strengtFortrolig"
    Når barnevernstjenesten ser på "D1"
    Så får barnevernstjenesten ikke innsyn etter regel "address-protection"
