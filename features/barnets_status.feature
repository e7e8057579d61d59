# language: no
Egenskap: Barnets status i Folkeregisteret – død, utflyttet, forsvunnet
  Etter barnets død har de nærmeste pårørende rett til innsyn i journalen på forespørsel, om
  ikke særlige grunner taler mot det (pbrl § 5-1 femte ledd). Det behandles av
  helsetjenesten, ikke gjennom digital representasjon: fra kl. 00:00 norsk tid på dødsdatoen
  gir løsningen ingen innsyn, heller ikke barnets eget. Står barnet som død uten dødsdato,
  regnes barnet som død.
  For et barn som er utflyttet eller ikke bosatt, holder ikke Folkeregisteret foreldreansvaret
  oppdatert: i tvil gir løsningen ikke foreldrene innsyn, men barnets eget innsyn endres ikke.
  Er barnet forsvunnet, eller er identiteten opphørt eller inaktiv, gir løsningen ingen innsyn.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og mor og far har felles foreldreansvar
    Og journalen har et prøvesvar "R1" i forløpet "ONKOLOGI"

  Scenariomal: Barnet døde 14. mars 2026: innsynet slutter ved midnatt norsk tid
    Gitt barnet er født 10.05.2016
    Og barnet døde 14.03.2026
    Når mor ser på "R1" <tidspunkt>
    Så får mor <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | tidspunkt            | svar        | regel          | regelnavn      |
      | 13.03.2026 kl. 23:59 | innsyn      | main-rule      | hovedregelen   |
      | 2026-03-13T22:59Z    | innsyn      | main-rule      | hovedregelen   |
      | 2026-03-13T23:00Z    | ikke innsyn | child-deceased | barnet er dødt |
      | 14.03.2026 kl. 00:00 | ikke innsyn | child-deceased | barnet er dødt |
      | 30.11.2026 kl. 12:00 | ikke innsyn | child-deceased | barnet er dødt |

  Scenario: Dødsfallet etter overgangen til sommertid regnes også fra midnatt norsk tid
    Gitt barnet er født 10.05.2016
    Og barnet døde 30.06.2026
    Når far ser på "R1" 2026-06-29T22:00Z
    Så får far ikke innsyn etter regel "child-deceased" (barnet er dødt)
    Og hjemmelen omfatter "pbrl-5-1-5"

  Scenario: Barnet står som død uten dødsdato
    Gitt barnet er 8 år
    Og barnet står som død i Folkeregisteret uten dødsdato
    Når mor ser på "R1"
    Så får mor ikke innsyn etter regel "child-deceased" (barnet er dødt)

  Scenario: En merking som nødvendig informasjon gir ikke innsyn etter barnets død
    Gitt barnet er 17 år
    Og barnet døde 01.11.2026
    Og merkingen "N1" viser prøvesvaret "R1" til alle foreldre som nødvendig for å ivareta foreldreansvaret
    Når mor ser på "R1"
    Så får mor ikke innsyn etter regel "child-deceased" (barnet er dødt)
    Og begrunnelsen nevner ikke "N1"

  Scenariomal: Foreldrenes innsyn etter barnets status i Folkeregisteret
    Gitt barnet er 10 år
    Og barnet har status "<status>" i Folkeregisteret
    Når far ser på "R1"
    Så får far <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | status            | svar        | regel              | regelnavn                        |
      | bosatt            | innsyn      | main-rule          | hovedregelen                     |
      | fødselsregistrert | innsyn      | main-rule          | hovedregelen                     |
      | midlertidig       | innsyn      | main-rule          | hovedregelen                     |
      | utflyttet         | ikke innsyn | child-not-resident | barnet er ikke bosatt i Norge    |
      | ikke bosatt       | ikke innsyn | child-not-resident | barnet er ikke bosatt i Norge    |
      | forsvunnet        | ikke innsyn | child-id-inactive  | barnets identitet er ikke i bruk |
      | opphørt           | ikke innsyn | child-id-inactive  | barnets identitet er ikke i bruk |
      | inaktiv           | ikke innsyn | child-id-inactive  | barnets identitet er ikke i bruk |

  Scenariomal: Barnets eget innsyn etter status i Folkeregisteret
    Gitt barnet er 16 år
    Og barnet har status "<status>" i Folkeregisteret
    Når barnet ser på "R1"
    Så får barnet <svar> etter regel "<regel>" (<regelnavn>)

    Eksempler:
      | status      | svar        | regel             | regelnavn                        |
      | bosatt      | innsyn      | own-record-16     | eget innsyn fra 16 år            |
      | utflyttet   | innsyn      | own-record-16     | eget innsyn fra 16 år            |
      | ikke bosatt | innsyn      | own-record-16     | eget innsyn fra 16 år            |
      | forsvunnet  | ikke innsyn | child-id-inactive | barnets identitet er ikke i bruk |
      | opphørt     | ikke innsyn | child-id-inactive | barnets identitet er ikke i bruk |
      | inaktiv     | ikke innsyn | child-id-inactive | barnets identitet er ikke i bruk |

  Scenario: Barnets eget innsyn slutter ved død
    Gitt barnet er 17 år
    Og barnet døde 01.11.2026
    Når barnet ser på "R1"
    Så får barnet ikke innsyn etter regel "child-deceased" (barnet er dødt)
