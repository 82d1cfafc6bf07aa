"""The strong scrubber's names: private persons found by cue, line, signature and repetition;
characters, public figures, cited authors, code and example values kept (issue #17)."""

from __future__ import annotations

import pytest

from econ_index.notable import famous_people, instances, parse_instances
from econ_index.scrub import PiiType
from econ_index.scrub_strong import StrongScrubber, _places


@pytest.fixture(scope="module")
def strong() -> StrongScrubber:
    return StrongScrubber()


def _names(strong: StrongScrubber, text: str) -> list[str]:
    return [text[s:e] for s, e, k in strong.spans(text) if k is PiiType.NAME]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Thanks for your help.\n\nBest regards,\n\nLars", "Lars"),
        ("Hello Dr. Harwath,\n\nThis is Zac Schulwolf from your class.", "Zac Schulwolf"),
        ("Glad to reach out!\n\nPreston here with Innospire.", "Preston"),
        ("I am mentoring my friend Shuozhe on a project.", "Shuozhe"),
        ("Attended\n⤷ Marianne O'Byrne\nIndividual Psychotherapy", "Marianne O'Byrne"),
        ('new Student("Yakir","Cohen","204325423")', "Cohen"),
        ("can you help me reply this: Hi Jones,\n\nIt was great", "Jones"),
        ("您好，我叫pacy，请问你叫什么名字。", "pacy"),
        # a sentence's first word before a surname, a place name that is a first name
        ("In Prendergast v Western Murray Irrigation Ltd, the panel held", "Prendergast"),
        ("I talked to my friend Austin about the move.", "Austin"),
        ("Applicant: JOHN SMITH, please sign", "JOHN SMITH"),
        # the parties of a cited case; an honorific before initials and capitals
        ("(Diamond v Campbell-Jones [1961] Ch 22)", "Campbell-Jones"),
        ("In Collins v Urban [2014] NSWCATAP 17, the panel", "Collins"),
        ("Established in 2008 by Mr. S. G. SRIDHAR, with experience", "S. G. SRIDHAR"),
        # the other party of a meeting or a request, by first name alone
        ("- Status call with Rui: 12 pm - 12.15 pm", "Rui"),
        ("Please ask Priya to review the draft.", "Priya"),
        # a CV that says "character" is no story: it has a phone number
        (
            "TANA M. SCHIEWER\nP: (419) 346-4231\nStoryteller of character-driven campaigns.",
            "TANA M. SCHIEWER",
        ),
        # a surname that is also a building's or a place's word; a first name that is a city's
        ("Please forward this to Michael Hall and Susan Park.", "Michael Hall"),
        ("Please forward this to Michael Hall and Susan Park.", "Susan Park"),
        ("Attendees:\nSydney Morgan\nAustin\nPrague office", "Austin"),
        # a name in lower case whose surname is a common word and a common name
        ("i met margaret okonkwo and susan miller today", "susan miller"),
        # a relative in a story, outside dialogue; a renowned calling the user's own friend has
        ("A short story about my son Jake and a dragon named Ember.", "Jake"),
        ("My friend Jane Roeburn, a psychologist, wants a CV.", "Jane Roeburn"),
        # a role in a greeting is no name, but the name after it is
        ("Dear Hiring Manager Tom Blake,\nI apply.", "Tom Blake"),
        # a chat log's and a transcript's speakers; an e-mail's header lines
        ("Barak: Let's meet on zoom.\nNadav: Sure, i'll join.\nYuval: I'm in.", "Nadav"),
        ("> Lizy Thomson 00:03\nStill ill.\n> Stephen Dunn 00:19\nOk.", "Lizy Thomson"),
        # a chat's speakers after time stamps, or beside the user's own lines
        ("[10:02] Priya: I'll send the deck tonight\n[10:03] Nadav: Sure, thanks", "Priya"),
        ("13/10/22, 5:21 PM - Priya: I will send it\n13/10/22, 5:22 PM - Nadav: Sure", "Nadav"),
        ("Priya: I'll send the deck tonight\nNadav: Sure, thanks\nMe: ok, great", "Nadav"),
        # prompt labels in capitals do not make a script
        ("USER: my name is Dana Whitlock\nASSISTANT: Hello Dana", "Dana Whitlock"),
        ("To: Jeff Bezos\nCc: Peter Krawiec; Nick Komorous\nSubject: Ring", "Peter Krawiec"),
        ("From: Mary Jones <mj@x.org>\nTo: Sales Team", "Mary Jones"),
    ],
)
def test_private_names_found(strong: StrongScrubber, text: str, name: str) -> None:
    assert any(name in found or found in name for found in _names(strong, text)), text


def test_a_name_found_once_is_found_everywhere(strong: StrongScrubber) -> None:
    text = "我的名字是“麦克”。今天我和麦克进行了交谈。"
    out = strong.scrub(text).text
    assert "麦克" not in out


@pytest.mark.parametrize(
    "text",
    [
        # a story's characters (dialogue)
        '"Uhm, Alyssa, you forgot your dinner." Lizzie said. "Call me Lizzie," she asks.',
        # public office, a well-known family name, a role after the name
        "President Dwight D. Eisenhower signed it.",
        "In 2009, Barack Obama became president. Michelle Obama was First Lady.",
        "The examples of Michelle and Barack Obama are known. Michelle spoke first.",
        "Michael Conroy, who is the founder of Men at Work, spoke.",
        # cited authors
        "Chen, E. Y. H., Chan, R. C. H., & Yip, P. S. F. (2020). A study.",
        "read the Chimp Paradox by Steve Peters and prepare",
        # code: types and identifiers are not people
        "type Customer = {\n name: String;\n email: String;\n}",
        "from keras.optimizers import Adam, RMSprop",
        # everyday words the model calls people
        "Be sure to note Primary Keys and Foreign Keys as you require them.",
        # places (GeoNames) the model or the name lists call people
        "My wife and I are going to Austin for 3 days.",
        "Then we will go to Santa Barbara for a few days.",
        'location: "Hong Kong",',
        # a month after a sentence's first word; a protocol layer in mixed case
        "The rule was published in 2020. In March 2021, the Department began.",
        "The MAC layer receives data from a higher layer.",
        # personas and hypothetical people of a prompt; a founder cited with a year
        "I want you to act as a recruiter called Tony at a software company.",
        "please provide an example of a male named Michael, raised by his aunt",
        "The program, founded in 2005 by Dr. Monroe Weber-Shirk, builds plants.",
        "| Employee ID | First Name | Last Name | Username | Email |",
        "The office of Mr. Justice Sanjay Karol, Judge Supreme Court of India",
        "Sumy Pty Ltd v Newman Industries Ltd [1949] 2 KB 528",
        # a meeting with a company, a request to a product or the assistant
        "We had a call with Deloitte about the audit.",
        "Then ask Python to print it, or ask Siri.",
        # a name that begins an organisation's or a programme's, kept where it recurs
        "I need an Edward Jones statement from the start of the year.",
        "Grant Thornton LLP audited the books, and Grant Thornton signed them.",
        # organisations and buildings whose name ends in their kind
        "Green Party and Liberty Party\nFree Soil Party and Whig Party",
        "Cornell University-SC Johnson College of Business Ithaca, NY",
        "a lakefront home in popular Wexford Sound of James Island, updated",
        "departs 15:16 Berlin Hbf arrives 19:35 Prague",
        # cities in a list or an itinerary, also those that are first names
        "Montevideo\nQuito\nRio de Janeiro\nSantiago\nSao Paulo\nAmsterdam",
        "Rotorua\nSydney\nWellington\nAccra",
        "Dates:\n4/7-4/9 Berlin\n4/9-4/13 Prague\n4/13-4/16 Vienna",
        "the tide data (https://x.gov/api?id=8410140&name=Eastport&state=ME) in pandas",
        # the assistant greeted; a role greeted
        "Hi Chat, I'm trying to create some subject lines",
        "Dear Hiring Team,\nIt would be an honor.",
        "Dear Search Committee for the Online Program,",
        "Dear Councilmember [Name],\nI support the plan.",
        # credits, bylines, work by, renowned callings and roles: public people
        "Directors: James Cameron\nStars: Sam Worthington, Zoe Saldana, Sigourney Weaver\n",
        "These were developed by John Graunt, William Farr, and William Cullen into a standard.",
        "Expressive Writing as researched by James Pennebaker",
        "Types Of Pushups mbg Fitness Contributor By Heather Marr Wide pushup",
        "This was proven by the german psychologist Kai Sassenberg.",
        "Among these are Edward Thorndike, a pioneering psychologist who described it.",
        "performers, including Peter Theil (PayPal founder) and Rony Abovitz",
        "Jacqueline Woodson - award-winning author and National Ambassador",
        "The current appointed Senator, Pat Reynolds, is also running.",
        # the stock parties of a protocol
        "a secret key K between Alice and Bob\nwith the help of a third party. Alice sends.",
        # a character's relative in dialogue; a monologue's characters
        '"Can I help you?" Daxon asked.\n\n"My father, Arthur Willoughby, died," she said.',
        "Write a monologue in which Henry Higgins deduces Batman's secret identity",
        # lower-case word pairs that are census names but read as words
        "Wind energy is provided as long as the sun shines.",
        "Optimizations (e.g., manual search, Grid Search).",
        # labels of a prompt are no speakers; one speaker line is no chat log; a team greeted
        "Input: a list\nOutput: a number\nNote: keep it short",
        "Barak: Let's meet on zoom tomorrow.",
        "Macadamia Nuts: Dogs may get weak.\nXylitol: Xylitol is a sugar substitute.",
        "To: Sales Team; Customer Service\nSubject: refund",
        # a script's or a play's dialogue, with no story word and no sign of a real chat
        "Elena: Sure, I never thought I'd see you again.\nMarcus: Neither did I.\nElena: Sure.",
        "INT. KITCHEN - NIGHT\nMargaret: Where were you last night?\nThomas: I was out walking.",
        "Margaret: Where were you last night?\nThomas: [pacing] I was out walking.",
        "MARGARET: Where were you, Thomas?\nTHOMAS: Out, Margaret. Just out.",
        "Act 1\nMargaret: Where were you last night?\nThomas: I was out walking.",
        # the user's "my" before a cited work, not before a calling
        "My favourite book is Dune, written by Frank Herbert. I loved it.",
        "My summary: according to Daniel Kahneman, people are loss averse.",
    ],
)
def test_lookalike_names_kept(strong: StrongScrubber, text: str) -> None:
    assert _names(strong, text) == [], text


@pytest.mark.parametrize(
    "text",
    [
        'login with "email": "testing@test.com" or user1@email.com',
        "ping 8.8.8.8 and the subnet 22.1.11.0/24",
    ],
)
def test_example_values_kept(strong: StrongScrubber, text: str) -> None:
    assert strong.scrub(text).text == text


@pytest.mark.parametrize(
    ("name", "notable"),
    [
        # surnames written about far more than borne: public figures and characters
        ("Kim Kardashian", True),
        ("Nancy Pelosi", True),
        ("Darth Vader", True),
        # common surnames, rare ones, a rare given name, an everyday word, a lone name
        ("Sarah Miller", False),
        ("Tana M. Schiewer", False),
        ("Branon Skies", False),
        ("Said Said", False),
        ("Pelosi", False),
    ],
)
def test_notable_names(strong: StrongScrubber, name: str, notable: bool) -> None:
    assert strong._notable(name) is notable


def test_a_notable_name_and_its_family_name_are_kept(strong: StrongScrubber) -> None:
    text = "I read an interview with Nancy Pelosi. Pelosi said my colleague Sarah Miller is right."
    assert _names(strong, text) == ["Sarah Miller"]


def test_the_place_names_ship_with_the_package() -> None:
    places = _places()
    assert len(places) > 20_000
    assert {"winnipeg", "hong kong", "santa barbara", "germany", "texas"} <= places
    assert not any(p.startswith("#") or p != p.lower() for p in places)


# --- WordNet's and Pantheon's notable names (econ_index.notable) ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # full names WordNet 3.0 lists (a psychologist, a novelist, a Founding Father, a prince
        # who gave a port its name),
        # and the family name where it recurs
        "Other thinkers, such as Carl Rogers and the humanistic school, disagreed.",
        "In the song he turned out to be Norman Mailer, and the crowd cheered.",
        "The first worm was launched by Robert Morris in 1988. Morris was a student.",
        "The ferry leaves Prince Rupert at noon.",
        # people Pantheon 1.0 lists and WordNet lacks: a management writer, a film director, a
        # psychologist, a singer
        "I have been reading what Peter Drucker said about work, and it changed my week.",
        "Which camera did James Cameron use for the underwater scenes?",
        "Write a short essay on Daniel Kahneman and his two systems of thinking.",
        "Tracy Chapman sang it better than anyone.",
    ],
)
def test_notable_full_names_in_the_lists_kept(strong: StrongScrubber, text: str) -> None:
    assert _names(strong, text) == [], text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a private person who shares only a surname or a first name with a notable one
        ("Dear Martha Locke, your order ships today.", "Martha Locke"),
        ("Simon will bring the slides to the review.", "Simon"),
        # a notable full name that the user calls their own, or next to a phone number
        ("I am writing about my friend Carl Rogers, who needs a new job.", "Carl Rogers"),
        ("Applicant: Norman Mailer, phone (419) 346-4231, available from May.", "Norman Mailer"),
        # the same guards for Pantheon's names, and "my name is"
        ("I am writing about my friend James Cameron, who needs a new job.", "James Cameron"),
        ("Applicant: Peter Drucker, phone (419) 346-4231, available from May.", "Peter Drucker"),
        ("My name is Daniel Kahneman and I am applying for the analyst role.", "Daniel Kahneman"),
        # a private-looking full name no list holds
        ("Please forward the invoice to Sarah Kowalczyk before Friday.", "Sarah Kowalczyk"),
    ],
)
def test_private_names_beside_notable_ones_found(
    strong: StrongScrubber, text: str, name: str
) -> None:
    assert name in _names(strong, text), text


def test_pantheon_lists_famous_people_wordnet_lacks() -> None:
    names = famous_people()
    assert len(names) > 11_000
    assert "peter drucker" in names and "peter drucker" not in instances()
    # accented names also without their accents, as they are often typed
    assert {"josé mourinho", "jose mourinho"} <= names
    assert all(len(n.split()) > 1 and n == n.lower() and not n.startswith("#") for n in names)


def test_wordnet_instances_are_parsed_from_data_noun() -> None:
    # lines of WordNet 3.0's data.noun, glosses cut
    lines = [
        "  1 This software and database is being provided to you, the LICENSEE, by  \n",
        "09604451 18 n 02 Sherlock_Holmes 0 Holmes 0 001 @i 09587565 n 0000 | a fictitious  \n",
        "08824152 15 n 01 Winnipeg 0 002 @i 08695198 n 0000 #p 08823968 n 0000 | the capital  \n",
        # a class, not an instance; an instance of a lexicographer file not kept (noun.act)
        "10126926 18 n 02 genius 0 Einstein 1 001 @ 09621545 n 0000 | someone who has  \n",
        "00060548 04 n 02 Hegira 1 Hejira 1 001 @i 00058743 n 0000 | the flight of Muhammad  \n",
    ]
    assert parse_instances(lines) == {
        "sherlock holmes": "noun.person",
        "holmes": "noun.person",
        "winnipeg": "noun.location",
    }


def test_the_installed_wordnet_lists_notable_names() -> None:
    names = instances()
    assert len(names) > 12_000
    assert names["albert einstein"] == "noun.person"
    assert names["sherlock holmes"] == "noun.person"
    assert names["mississippi river"] == "noun.object"
