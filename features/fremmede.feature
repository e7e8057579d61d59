# language: no
Egenskap: Den som ikke har foreldreansvar, får ikke vite noe om barnet
  Hvem som spør, og hvilken relasjon de har til barnet, avgjøres før noe om barnet selv. Den
  som ikke har foreldreansvar, får samme svar, med samme regel og samme begrunnelse, om barnet
  har adressebeskyttelse, er dødt, er forsvunnet, er under omsorg av barnevernstjenesten eller
  har journalopplysninger som er holdt tilbake – som om det gjaldt et hvilket som helst annet
  barn. Ellers kunne svaret i seg selv røpe det som skal skjermes.

  Bakgrunn:
    Gitt i dag er 30.11.2026 kl. 12:00
    Og barnet er 10 år
    Og mor og far har felles foreldreansvar
    Og journalen har et dokument "D1" i forløpet "BUP"

  Scenariomal: Bestefar får samme svar uansett hva som gjelder for barnet
    Gitt <forhold>
    Når bestefar ser på "D1"
    Så får bestefar ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)
    Og bestefar får det samme svaret som om barnet var et hvilket som helst annet barn

    Eksempler:
      | forhold                                                                                                  |
      | barnet har adressebeskyttelse "strengt fortrolig"                                                        |
      | barnet har adressebeskyttelse "fortrolig"                                                                |
      | barnet døde 01.11.2026                                                                                   |
      | barnet står som død i Folkeregisteret uten dødsdato                                                      |
      | barnet har status "forsvunnet" i Folkeregisteret                                                         |
      | barnet har status "utflyttet" i Folkeregisteret                                                          |
      | unntaket "U1" holder forløpet "BUP" tilbake overfor alle foreldre etter "pbrl-3-4-3"                     |
      | vedtaket "O1" om omsorgsovertakelse gir barnevernstjenesten omsorgen for barnet fra 01.09.2026 kl. 00:00 |
      | mor har selv adressebeskyttelse "strengt fortrolig"                                                      |

  Scenario: En forelder uten foreldreansvar får ikke vite at barnet har adressebeskyttelse
    Gitt barnet har adressebeskyttelse "strengt fortrolig"
    Når medmor ser på "D1"
    Så får medmor ikke innsyn etter regel "no-parental-responsibility" (uten foreldreansvar)
    Og medmor får det samme svaret som om barnet var et hvilket som helst annet barn
