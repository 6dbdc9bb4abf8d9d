"""English texts of the example: ordinary news by topic, and the story.

Sentences are templates with dense slots ({city}, {n}, {person} ...), so two
articles on one topic share few five-word runs and are not near-duplicates
unless a reprint is planted. Nothing here may contain the story's words
(execution, killed) outside ``STORY``.
"""

from __future__ import annotations

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "economy": (
        ["{city} reports {pct} rise in small business lending",
         "Regional budget of {city} to grow by {n} billion, officials say",
         "Exporters in {city} expect {pct} more orders next quarter"],
        ["The finance department of {city} said on {day} that lending to small firms grew by {pct} since spring.",
         "{person}, {role}, told reporters that {n} new companies registered in {month} alone.",
         "Analysts at {org} expect inflation near {pct} by the end of the year, slightly above earlier forecasts.",
         "Traders at the {city} market said wholesale prices for {goods} rose for the {ordinal} week in a row.",
         "The regional fund will lend up to {n} million to firms that hire at least {small} local workers.",
         "Local entrepreneurs in {city} complained that permits still take {small} weeks on average."]),
    "agriculture": (
        ["Farmers near {city} finish harvest {small} days early",
         "{city} region expands irrigation to {n} hectares"],
        ["Farms around {city} have harvested {n} thousand tonnes of {crop}, the agriculture office said on {day}.",
         "{person}, {role}, said the yield of {crop} reached {small} tonnes per hectare this season.",
         "Growers near {city} asked for cheaper diesel as fuel costs rose by {pct} since {month}.",
         "The new canal will bring water to {n} hectares of {crop} fields by next spring.",
         "Veterinary teams vaccinated {n} head of cattle in {small} districts during {month}.",
         "A cooperative of {small} families in {city} began selling {crop} directly to shops."]),
    "transport": (
        ["New bus routes open in {city}",
         "Road between {city} and {city2} to reopen after repairs"],
        ["The city administration of {city} launched {small} new bus routes on {day}, adding {n} stops.",
         "Repairs on the {n}-kilometre road between {city} and {city2} are {pct} complete, engineers said.",
         "{person}, {role}, promised that the {city} airport terminal will handle {n} passengers a day.",
         "Passengers in {city} complained about crowded buses during the morning hours in {month}.",
         "Rail operator {org} will add {small} night trains between {city} and {city2} from {month}.",
         "Traffic police in {city} counted {n} violations on the ring road during a {small}-day check."]),
    "health": (
        ["{city} hospital opens new cardiology ward",
         "Flu vaccination begins in {city} clinics"],
        ["The regional hospital in {city} opened a ward with {small} beds and modern equipment on {day}.",
         "{person}, {role}, said {n} residents of {city} had received flu shots by the middle of {month}.",
         "Doctors in {city} advise parents to keep children with fevers at home for {small} days.",
         "The health office reported {n} cases of seasonal flu in {city}, {pct} fewer than a year ago.",
         "Rural clinics near {city} will receive {small} ambulances purchased by {org}.",
         "A mobile team of {small} doctors examined {n} villagers in remote districts during {month}."]),
    "education": (
        ["{small} new schools open near {city}",
         "Universities in {city} admit {n} students on state grants"],
        ["{small} new schools opened in the suburbs of {city} this week, with places for {n} pupils.",
         "{person}, {role}, said teachers' salaries in {city} would rise by {pct} from {month}.",
         "Students in {city} took part in a regional science olympiad, winning {small} gold medals.",
         "The university in {city} signed an exchange agreement with {org} covering {small} programmes.",
         "Parents in {city} asked for more places in kindergartens, where queues reached {n} children.",
         "A new library with {n} books opened on {day} in the centre of {city}."]),
    "culture": (
        ["Theatre festival in {city} draws {n} visitors",
         "Museum in {city} shows {small} recently restored manuscripts"],
        ["The {ordinal} theatre festival in {city} brought {small} companies and {n} spectators.",
         "{person}, a director from {city}, presented a new film about village life on {day}.",
         "The museum in {city} displayed {small} manuscripts restored with the help of {org}.",
         "Tickets for the concert in {city} sold out within {small} hours, organisers said.",
         "A photo exhibition about the mountains near {city} will stay open until the end of {month}.",
         "Craftsmen from {small} districts sold felt carpets and jewellery at the fair in {city}."]),
    "sport": (
        ["{city} team wins regional football cup",
         "Wrestlers from {city} take {small} medals at championship"],
        ["The football club from {city} won the regional cup on {day}, beating its rival {score}.",
         "Wrestlers from {city} won {small} medals at the championship held in {city2}.",
         "{person}, the coach of the {city} team, said the squad would train for {small} weeks before the league.",
         "About {n} fans watched the match at the central stadium of {city}.",
         "A new ice rink for {n} spectators will open in {city} in {month}, the sports office said.",
         "Young boxers from {city} will travel to {city2} for a tournament with {small} teams."]),
    "weather": (
        ["Forecasters warn of strong winds in {city}",
         "Early snow expected in mountains near {city}"],
        ["Forecasters expect winds of up to {small} metres per second in {city} on {day}.",
         "Temperatures near {city} will drop to {small} degrees at night later this week.",
         "The emergency service asked drivers in {city} to avoid the mountain pass during {month} storms.",
         "Rainfall in the {city} region reached {pct} of the monthly norm in just {small} days.",
         "{person}, {role}, said the snow season near {city} could start {small} days earlier than usual."]),
    "energy": (
        ["Heating season starts in {city}",
         "{city} power plant completes {small}-month overhaul"],
        ["The heating season in {city} will begin on {day}, {small} days earlier than last year.",
         "The power plant in {city} finished repairs of {small} boilers ahead of winter.",
         "{person}, {role}, said electricity tariffs in {city} would rise by {pct} from {month}.",
         "Residents of {n} apartment blocks in {city} had no hot water for {small} days in {month}.",
         "A solar park of {n} kilowatts is being built near {city} by {org}."]),
    "construction": (
        ["{n} new apartments completed in {city}",
         "{city} approves plan for new residential district"],
        ["Builders in {city} completed {n} apartments since January, {pct} more than a year earlier.",
         "{person}, {role}, said the new district near {city} would have {small} schools and a clinic.",
         "The city council of {city} approved a plan to rebuild {small} old bridges by {month}.",
         "Buyers in {city} paid on average {n} per square metre for new flats in {month}.",
         "Inspectors stopped work at {small} building sites in {city} over safety violations."]),
}

GENERIC: list[str] = [
    "The announcement was made at a briefing in {city} on {day}.",
    "{person} added that details would be published on the official website in {month}.",
    "Similar measures were taken in {city2} last year, with mixed results.",
    "Residents interviewed in {city} gave cautious reactions to the news.",
    "The plan is part of a programme running until {year}, according to {org}.",
    "Officials did not say how much the work would cost in total.",
    "Independent experts from {org} said the figures would need to be checked.",
    "The next meeting on the issue is scheduled for the end of {month}.",
]

STORY: dict[str, list[str]] = {
    "title": [
        "Video appears to show execution of two men; authorities check authenticity",
        "Militant video of apparent execution draws condemnation",
        "Officials study video that appears to show execution of two men",
        "What is known about the execution video",
        "Families seek answers after execution video",
    ],
    # every story article has one lead: it holds both story words (video, execution)
    "lead": [
        "A video published by an armed group on {day} appears to show the execution of two men in a desert area.",
        "A propaganda video that appears to show the execution of two men continued to circulate online on {day}.",
        "Authorities are still examining a video that appears to show the execution of two men, published by a militant group.",
    ],
    "fact": [
        "According to relatives and officials, both victims were citizens of Kazakhstan from the {region} region.",
        "The two men shown in the video were citizens of Kazakhstan, their families told reporters in {city}.",
        "Both victims were Kazakh nationals who had left the country several years ago, according to relatives.",
    ],
    "body": [
        "The authenticity of the recording could not be independently verified, and the date of filming is unknown.",
        "The foreign ministry said it was checking the information and was in contact with partners abroad.",
        "Video platforms said they had removed copies of the recording for violating their rules on violent content.",
        "Experts on extremist propaganda said such recordings are meant to intimidate and to recruit supporters.",
        "Prosecutors warned that sharing the recording could itself be treated as an offence.",
        "Human rights groups called on the authorities to publish what they know about the case.",
        "The armed group has published similar material before, often months after the events shown.",
        "Officials declined to comment on how the men came to be held by the group.",
    ],
}
STORY["update"] = [
    "{person}, {role}, said on {day} that the ministry had received {small} requests from relatives.",
    "Police in {city} said they had opened {small} criminal cases over the spread of the recording.",
    "A lawyer for one of the families, {person}, said the relatives learnt the news from social media.",
    "About {n} people shared copies of the recording before it was removed, according to {org}.",
    "Lawmakers in {city} asked the government on {day} to report on the case within {small} days.",
]
