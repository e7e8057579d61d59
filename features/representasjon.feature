# language: no
Egenskap: Representasjon og adressebeskyttelse – hvem som har foreldreansvar
  Hvem som har foreldreansvar, hentes fra Folkeregisteret. Opplysninger som er eldre enn sju
  dager, eller som mangler, gir ikke innsyn: heller nei enn feil person. Opplysninger med et
  hentetidspunkt mer enn fem minutter fram i tid stoles heller ikke på. Et barn med
  adressebeskyttelse «fortrolig» eller «strengt fortrolig» kan ikke representeres digitalt, og
  en forelder som selv har slik adressebeskyttelse, kan ikke representere barnet digitalt
  (Helsenorges praksis); «klientadresse» hindrer ikke innsyn. Står foreldreansvaret som
  «ukjent», har ingen innsyn. Foreldreansvaret i Folkeregisteret har en gyldighetsperiode: når
  den er slutt, har forelderen ikke lenger foreldreansvar.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 9 år
    Og journalen har et dokument "D1"

  Scenario: Uten opplysninger fra Folkeregisteret får ingen forelder innsyn
    Gitt opplysningene fra Folkeregisteret mangler
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-current-representation" (mangler oppdaterte opplysninger om foreldreansvar)

  Scenariomal: Opplysningene fra Folkeregisteret må være ferske
    Gitt mor og far har felles foreldreansvar
    Og opplysningene fra Folkeregisteret ble hentet <alder> før oppslaget
    Når mor ser på "D1"
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | alder               | svar        | regel                     | regelnavn                                         |
      | 6 dager             | innsyn      | main-rule                 | hovedregelen                                      |
      | 7 dager             | innsyn      | main-rule                 | hovedregelen                                      |
      | 7 dager og 1 minutt | ikke innsyn | no-current-representation | mangler oppdaterte opplysninger om foreldreansvar |
      | 30 dager            | ikke innsyn | no-current-representation | mangler oppdaterte opplysninger om foreldreansvar |

  Scenariomal: Opplysninger hentet fram i tid stoles på bare innenfor klokkeavviket
    Gitt mor og far har felles foreldreansvar
    Og opplysningene fra Folkeregisteret ble hentet <avvik> etter oppslaget
    Når far ser på "D1"
    Så får far <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | avvik      | svar        | regel                     | regelnavn                                         |
      | 5 minutter | innsyn      | main-rule                 | hovedregelen                                      |
      | 6 minutter | ikke innsyn | no-current-representation | mangler oppdaterte opplysninger om foreldreansvar |
      | 2 dager    | ikke innsyn | no-current-representation | mangler oppdaterte opplysninger om foreldreansvar |

  Scenariomal: Barnets adressebeskyttelse
    Gitt mor og far har felles foreldreansvar
    Og barnet har adressebeskyttelse "<gradering>"
    Når mor ser på "D1"
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | gradering         | svar        | regel              | regelnavn                  |
      | fortrolig         | ikke innsyn | address-protection | barnets adressebeskyttelse |
      | strengt fortrolig | ikke innsyn | address-protection | barnets adressebeskyttelse |
      | klientadresse     | innsyn      | main-rule          | hovedregelen               |
      | ugradert          | innsyn      | main-rule          | hovedregelen               |

  Scenariomal: En forelder som selv har adressebeskyttelse, kan ikke representere barnet digitalt
    Gitt mor og far har felles foreldreansvar
    Og mor har selv adressebeskyttelse "<gradering>"
    Når <hvem> ser på "D1"
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | gradering         | hvem | svar        | regel                        | regelnavn                                    |
      | strengt fortrolig | mor  | ikke innsyn | requester-address-protection | adressebeskyttelse hos den som ber om innsyn |
      | fortrolig         | mor  | ikke innsyn | requester-address-protection | adressebeskyttelse hos den som ber om innsyn |
      | klientadresse     | mor  | innsyn      | main-rule                    | hovedregelen                                 |
      | strengt fortrolig | far  | innsyn      | main-rule                    | hovedregelen                                 |

  Scenario: Foreldreansvar uten noen kjent ansvarlig gir ingen innsyn
    Gitt Folkeregisteret har en foreldreansvarsrelasjon med ansvar "ukjent" uten noen ansvarlig
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)
    Og begrunnelsen har koden "no-parental-responsibility"

  Scenario: Mor står i Folkeregisteret med ansvar "ukjent": hun har ikke foreldreansvar
    Folkeregisteret kjenner mor som part i foreldreansvaret, men ikke hva ansvaret er. Det gir
    ikke innsyn, og begrunnelsen sier at ansvaret er ukjent (ikke at mor er ukjent).

    Gitt mor står i Folkeregisteret med ansvar "ukjent"
    Og far står i Folkeregisteret med ansvar "far"
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)
    Og begrunnelsen har koden "responsibility-unknown"

  Scenario: Motstridende opplysninger: både kjent og ukjent ansvar for samme forelder
    Gitt mor står i Folkeregisteret med ansvar "mor"
    Og mor står i Folkeregisteret med ansvar "ukjent"
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)
    Og begrunnelsen har koden "conflicting-representation"

  Scenariomal: Når fars foreldreansvar opphører, opphører hans innsyn
    Gitt mor og far har felles foreldreansvar
    Og fars foreldreansvar gjelder til 01.12.2026 kl. 00:00
    Når <hvem> ser på "D1" den <tidspunkt>
    Så får <hvem> <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | hvem | tidspunkt            | svar        | regel                      | regelnavn           |
      | far  | 30.11.2026 kl. 23:59 | innsyn      | main-rule                  | hovedregelen        |
      | far  | 01.12.2026 kl. 00:00 | ikke innsyn | no-parental-responsibility | uten foreldreansvar |
      | mor  | 01.12.2026 kl. 00:00 | innsyn      | main-rule                  | hovedregelen        |

  Scenariomal: Foreldreansvar som begynner å gjelde senere, gir innsyn fra den dagen
    Gitt medmor står i Folkeregisteret med ansvar "felles"
    Og medmors foreldreansvar gjelder fra 01.12.2026 kl. 00:00
    Når medmor ser på "D1" den <tidspunkt>
    Så får medmor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel                      | regelnavn           |
      | 30.11.2026 kl. 23:59 | ikke innsyn | no-parental-responsibility | uten foreldreansvar |
      | 01.12.2026 kl. 00:00 | innsyn      | main-rule                  | hovedregelen        |

  Scenario: Barnevernstjenesten har foreldreansvaret
    Gitt barnevernstjenesten har foreldreansvaret alene
    Når barnevernstjenesten ser på "D1"
    Så får barnevernstjenesten innsyn etter regel "main-rule" (hovedregelen)

  Scenario: Når barnevernstjenesten har foreldreansvaret alene, har ikke mor innsyn
    Gitt barnevernstjenesten har foreldreansvaret alene
    Når mor ser på "D1"
    Så får mor ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)

  Scenario: Barnets adressebeskyttelse gjelder også barnevernstjenesten
    Gitt barnevernstjenesten har foreldreansvaret alene
    Og barnet har adressebeskyttelse "strengt fortrolig"
    Når barnevernstjenesten ser på "D1"
    Så får barnevernstjenesten ikke innsyn etter regel "address-protection" (barnets adressebeskyttelse)
