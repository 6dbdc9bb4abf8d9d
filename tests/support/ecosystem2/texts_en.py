"""English sentence bank of ecosystem 2 (see ``texts`` for the slots and the shape)."""

from __future__ import annotations

from typing import Any

BANK: dict[str, Any] = {
    "cities": ["Almaty", "Astana", "Bishkek", "Shymkent", "Osh", "Tashkent", "Karaganda"],
    "in_city": ["in Almaty", "in Astana", "in Bishkek", "in Shymkent", "in Osh",
                "in Tashkent", "in Karaganda"],
    "city_gen": ["Almaty", "Astana", "Bishkek", "Shymkent", "Osh", "Tashkent", "Karaganda"],
    "people": ["Dana Mukhametova", "Arman Seitkali", "Timur Bekov", "Aliya Omarova",
               "Rustam Ismailov", "Madina Ospanova"],
    "teams": ["Kairat", "Astana", "Tobol", "Dordoi", "Alai", "Ordabasy"],
    "decimal": ".",
    "topics": {
        "economy": (
            ["Central bank holds base rate at {pct}%",
             "Inflation {in_city} slows to {pct}%",
             "Grain exports rise by {n},000 tonnes"],
            ["Food prices rose {pct_small}% over the month, according to the statistics "
             "office.",
             "Analysts expect the currency to stay stable until the end of the quarter.",
             "Small businesses {in_city} received subsidised loans worth {n} million.",
             "{person}, an economist, says wage growth still lags behind prices.",
             "Retail sales in the region grew {pct_small}% year on year.",
             "The government has promised to review utility tariffs early next year."]),
        "sport": (
            ["{team1} beat {team2} {s1}-{s2}",
             "Boxers win {n_small} medals at tournament {in_city}",
             "{n} runners take part in marathon {in_city}"],
            ["The decisive goal came in the {minute}th minute.",
             "Head coach {person} thanked the fans for their support.",
             "The next match will be played on Saturday at the central stadium.",
             "About {n} spectators attended the game.",
             "The athletes are preparing for the Asian championship in the spring.",
             "The federation announced the national squad for the coming season."]),
        "weather": (
            ["Forecasters expect a cold snap {in_city}",
             "Strong winds forecast {in_city}",
             "First snow falls in the mountains, nights down to {t_neg}C"],
            ["Night temperatures will drop to {t_neg} degrees Celsius.",
             "Daytime temperatures will reach {t_pos} degrees.",
             "Wind gusts may reach {n_small}0 metres per second.",
             "Drivers are asked to take care on mountain passes.",
             "Meteorologists attribute the change to a cold front.",
             "The weather is expected to settle by the weekend."]),
        "culture": (
            ["Young artists' exhibition opens {in_city}",
             "Opera and ballet theatre {in_city} presents new season",
             "Folk music festival held {in_city}"],
            ["The exhibition includes more than {n_small}0 works from private collections.",
             "Entry will be free for schoolchildren and students.",
             "Director {person} spoke about working on the production.",
             "The organisers plan to make the festival an annual event.",
             "The exhibition runs until the end of the month.",
             "The philharmonic chamber orchestra performed at the opening."]),
        "transport": (
            ["New bus route to open {in_city}",
             "Repairs on {n} km of highway to finish before winter",
             "Airline launches new flights from {city_gen}"],
            ["The new route will link residential districts with the city centre.",
             "Fares will stay the same.",
             "The contractor has promised to finish a {n}-kilometre section of road by "
             "December.",
             "Flights will operate {n_small} times a week.",
             "Commuters complain about rush-hour traffic jams.",
             "City officials have promised to renew the bus fleet."]),
        "health": (
            ["Flu vaccination campaign begins {in_city}",
             "New clinic opens {in_city}",
             "Doctors {in_city} warn of rise in respiratory infections"],
            ["Vaccination is free at any public clinic.",
             "{n} cases were registered in the past week.",
             "Chief doctor {person} urged residents not to self-medicate.",
             "The new clinic will see {n} patients a day.",
             "The health ministry has bought an additional batch of vaccine.",
             "Particular attention is paid to the elderly and children."]),
    },
    "generic": ["No further details were given.",
                "The agency's press office reported the news.",
                "Preparations for the decision had been reported earlier.",
                "Local authorities say the situation is under control.",
                "Experts disagree on what the changes mean."],
    "mine": {
        "ev": {
            "state": {"nom": ["incident"]},
            "other": {"nom": ["disaster", "tragedy"]},
        },
        "heads": ["Besoba mine explosion", "Besoba mine {ev_nom}", "Karaganda region"],
        "details_early": ["rescuers continue search", "{deaths} confirmed dead",
                          "relatives wait for news at the pit", "what we know",
                          "injured taken to hospital", "day of mourning declared"],
        "details_late": ["commission names first theories",
                         "families of the dead to be compensated",
                         "prosecutors open criminal case", "{days} days on",
                         "union demands inspections", "a village in mourning"],
        "lead_early": ["A methane explosion has hit the Besoba coal mine run by Temir Komir in "
                       "Kazakhstan's Karaganda region.",
                       "Rescue work continues at the Besoba mine, where an explosion struck on "
                       "the morning of 1 October."],
        "lead_late": ["The investigation into the explosion at the Besoba mine in Karaganda "
                      "region continues.",
                      "{days} days have passed since the explosion at the Besoba mine."],
        "early": ["Mine rescuers are continuing the search underground.",
                  "Ambulance crews and a mine rescue unit arrived at the site.",
                  "The injured were taken to the regional hospital.",
                  "Relatives of the miners gathered outside the administrative building.",
                  "High gas concentrations are hampering the rescuers' work.",
                  "Witnesses say the blast could be heard in the neighbouring village."],
        "late": ["A government commission is questioning the company's management.",
                 "The families of the dead have been promised one-off payments.",
                 "Prosecutors have opened a criminal case under the article on breaching "
                 "mining safety rules.",
                 "The dead miners were buried in the village.",
                 "Experts are examining the mine's ventilation system.",
                 "The miners' union demands inspections at all of the company's pits."],
        "framed": ["The {ev_nom} has claimed {deaths} lives.",
                   "A day of mourning has been declared in the region after the {ev_nom}.",
                   "The causes of the {ev_nom} have not yet been officially named.",
                   "Kazakhstan's president offered condolences to the families of those "
                   "killed in the {ev_nom}."],
        "violations": ["In March, inspectors fined Temir Komir for safety violations at the "
                       "same mine.",
                       "Earlier this year the company was fined over industrial safety "
                       "violations at Besoba."],
        "trapped": ["{trapped} miners were trapped underground.",
                    "Contact was lost with {trapped} miners trapped below ground."],
        "voices": ["{person}, who lives in the village, said her husband worked the "
                   "{n_small}th shift.",
                   "\"We have been waiting for news since the morning,\" said {person}.",
                   "{person}, a former miner, worked in that section for {n_small} years."],
    },
    "hydro": {
        "heads": ["Kokzhar hydropower plant", "Kokzhar project", "Naryn river plant"],
        "details": ["sides discuss timeline", "what we know about the project",
                    "talks continue", "new round of consultations", "experts weigh the risks",
                    "questions remain"],
        "details_after": ["government approves financing", "tender is next step"],
        "lead": ["The two sides discussed preparations for building the Kokzhar hydropower "
                 "plant on the Naryn river.",
                 "The Kokzhar hydropower project on the Naryn river is back on the two "
                 "governments' agenda."],
        "lead_after": ["Kyrgyzstan's cabinet has approved financing for the Kokzhar "
                       "hydropower plant on the Naryn river."],
        "optional": ["The plant will have a capacity of 600 megawatts.",
                     "The project is estimated to cost $1.4 billion.",
                     "The Eurasian Development Bank may provide the loan.",
                     "Kyrgyz Energy Minister Nurlan Asanov called the project a priority.",
                     "\"The plant will supply the region with electricity for decades,\" "
                     "Nurlan Asanov said.",
                     "Construction is due to be completed in 2031.",
                     "Part of the electricity will be exported to Kazakhstan.",
                     "Environmentalists are calling for an independent review of the project.",
                     "The reservoir will flood about 40 square kilometres of pasture."],
        "generic": ["Talks will continue next month.",
                    "The sides earlier signed a memorandum of intent."],
        "voices": ["{person}, a farmer in Naryn region, fears for the family's pastures.",
                   "Energy analyst {person} expects the plant to pay for itself in {n_small} "
                   "years."],
    },
}
