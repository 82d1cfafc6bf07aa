"""Phrase banks for the synthetic corpus generator (:mod:`econ_index.generate`).

Kept apart from the generator's logic so the wording can grow without touching the sampling code.
Deliberately independent of the classifiers' vocabularies: an evaluation on this corpus is only
honest if the text was not written with a classifier's keyword lists in view.
"""

from __future__ import annotations

from dataclasses import dataclass

# Published AEI collaboration shares on the base of the five patterns (Handa et al. 2025, the
# release's automation_vs_augmentation.csv with "none" dropped, renormalised).
PATTERN_SHARES = {
    "directive": 27.8,
    "feedback_loop": 14.8,
    "task_iteration": 31.3,
    "learning": 23.3,
    "validation": 2.8,
}

# Casual rewordings of the leading verbs of O*NET task statements.
VERB_SWAPS: dict[str, tuple[str, ...]] = {
    "adapt": ("adjust", "tailor", "rework"),
    "adjust": ("tweak", "change", "fine-tune"),
    "advise": ("counsel", "guide", "give advice to"),
    "analyze": ("dig into", "look at", "break down", "analyse"),
    "apply": ("use", "put to use"),
    "arrange": ("set up", "sort out"),
    "assess": ("evaluate", "size up", "judge"),
    "assist": ("help", "support"),
    "build": ("put together", "make"),
    "calculate": ("work out", "compute", "figure out"),
    "clean": ("wash", "tidy up"),
    "collaborate": ("work", "team up"),
    "collect": ("gather", "pull together"),
    "communicate": ("share", "get across", "talk through"),
    "compile": ("pull together", "assemble", "gather"),
    "compose": ("write", "draft"),
    "conduct": ("run", "carry out", "do"),
    "confer": ("meet", "talk", "sync up"),
    "configure": ("set up", "tune"),
    "consult": ("check in", "talk"),
    "coordinate": ("organize", "line up", "manage"),
    "correct": ("fix", "sort out"),
    "create": ("make", "build", "put together"),
    "debug": ("fix", "troubleshoot"),
    "design": ("lay out", "sketch out", "come up with"),
    "determine": ("figure out", "work out", "decide"),
    "develop": ("build", "come up with", "create", "work out"),
    "direct": ("run", "lead", "oversee"),
    "document": ("write down", "record", "log"),
    "draw": ("sketch", "make"),
    "edit": ("revise", "clean up", "polish"),
    "ensure": ("make sure", "check"),
    "establish": ("set up", "put in place"),
    "estimate": ("ballpark", "work out", "guess"),
    "evaluate": ("assess", "judge", "size up"),
    "examine": ("inspect", "look at", "check"),
    "explain": ("walk through", "describe", "clarify"),
    "formulate": ("come up with", "work out"),
    "generate": ("produce", "come up with"),
    "guide": ("help", "coach"),
    "identify": ("find", "spot", "pin down"),
    "implement": ("roll out", "put in place", "build"),
    "inspect": ("check", "look over"),
    "install": ("set up", "put in"),
    "instruct": ("teach", "show"),
    "interpret": ("make sense of", "read", "decode"),
    "investigate": ("look into", "dig into"),
    "maintain": ("keep", "keep up", "manage"),
    "manage": ("run", "handle", "oversee"),
    "measure": ("check", "size"),
    "modify": ("change", "tweak", "update", "rework"),
    "monitor": ("keep track of", "keep an eye on", "track"),
    "negotiate": ("work out", "hash out"),
    "obtain": ("get", "grab"),
    "operate": ("run", "work"),
    "order": ("buy", "request"),
    "organize": ("sort out", "arrange", "set up"),
    "participate": ("take part", "join in"),
    "perform": ("do", "carry out", "handle"),
    "plan": ("organize", "map out", "schedule"),
    "prepare": ("put together", "draft", "prep", "write up"),
    "present": ("show", "pitch"),
    "produce": ("make", "create"),
    "provide": ("give", "offer", "supply"),
    "purchase": ("buy", "order"),
    "read": ("go through", "look at"),
    "recommend": ("suggest", "propose"),
    "record": ("log", "write down", "note"),
    "repair": ("fix", "mend"),
    "research": ("look into", "dig into"),
    "resolve": ("fix", "sort out", "settle"),
    "respond": ("reply", "answer"),
    "review": ("go over", "look over", "check"),
    "schedule": ("book", "set up", "plan"),
    "select": ("choose", "pick"),
    "study": ("look into", "research", "examine"),
    "supervise": ("oversee", "manage"),
    "teach": ("explain to", "instruct"),
    "test": ("try out", "check"),
    "track": ("keep tabs on", "follow"),
    "train": ("teach", "coach"),
    "translate": ("convert", "render"),
    "update": ("refresh", "revise", "bring up to date"),
    "verify": ("double-check", "confirm", "check"),
    "write": ("draft", "write up", "put together"),
}

WORD_SWAPS: dict[str, tuple[str, ...]] = {
    "activities": ("work", "tasks"),
    "additional": ("more", "extra"),
    "budget": ("spending plan",),
    "clients": ("customers", "people we serve"),
    "customers": ("clients", "buyers"),
    "data": ("numbers", "figures", "dataset"),
    "documentation": ("docs", "write-ups"),
    "documents": ("docs", "paperwork"),
    "employees": ("staff", "team members", "workers"),
    "equipment": ("gear", "machines", "kit"),
    "errors": ("bugs", "mistakes"),
    "existing": ("current", "old"),
    "financial": ("money", "finance"),
    "goals": ("targets", "aims"),
    "information": ("info", "details"),
    "instructions": ("directions", "steps"),
    "issues": ("problems",),
    "materials": ("supplies", "stuff"),
    "meetings": ("calls", "sessions"),
    "methods": ("approaches", "ways"),
    "multiple": ("several", "a bunch of"),
    "objectives": ("goals", "targets"),
    "organizational": ("company", "org"),
    "patients": ("clients", "people"),
    "personnel": ("staff", "people", "team"),
    "policies": ("rules", "guidelines"),
    "potential": ("possible",),
    "problems": ("issues",),
    "procedures": ("processes", "steps"),
    "program": ("code", "app", "script"),
    "programs": ("code", "apps", "software"),
    "projects": ("jobs", "initiatives"),
    "prospective": ("possible", "new"),
    "records": ("files", "logs", "paperwork"),
    "regulations": ("rules", "laws"),
    "report": ("write-up", "summary"),
    "reports": ("write-ups", "summaries"),
    "requirements": ("specs", "needs"),
    "results": ("outcomes", "findings"),
    "specifications": ("specs",),
    "staff": ("team", "people"),
    "students": ("learners", "pupils", "kids"),
    "systems": ("setups", "platforms"),
    "techniques": ("methods", "approaches"),
    "technical": ("tech",),
}

# Words a casual writer leaves out.
DROPPABLE = frozenset(
    """appropriate applicable various specific relevant necessary other all any particular
    related individual special designated""".split()
)

STOPWORDS = frozenset(
    """a an the and or of to for in on at by with from into as such that this these those their
    its it be is are was were other any all including using use used according based within
    between about over under through upon than which who whom whose what when where while
    both each either more most new various appropriate necessary specific related etc""".split()
)

GREETINGS = ("", "", "", "hi!", "hey,", "hello,", "ok so", "quick one:", "morning!", "hey there.")

SELF_INTROS = (
    "I'm {a_occ}{at_place}.",
    "I work as {a_occ}{at_place}.",
    "{Occ} here{at_place}.",
    "For context, I'm {a_occ}.",
    "Background: I've been {a_occ} for {years} years{at_place}.",
)

REQUESTS = (
    "Can you {imp}?",
    "can you help me {imp}",
    "I need to {imp}.",
    "Please {imp}.",
    "I have to {imp} by {deadline} and need help.",
    "Help me {imp}.",
    "I'm supposed to {imp} — can you do it for me?",
    "need a hand {ger}.",
    "Today I'm {ger}. Could you take care of it?",
    "{Front}, I need to {main}. Can you do this?",
    "Could you {imp}? {front_clause}",
)

DETAILS = (
    "It's for {aud}.",
    "The audience is {aud}.",
    "We have about {num} {noun} to deal with.",
    "Keep it {length}.",
    "Use a {tone} tone.",
    "Format it as {fmt}.",
    "Deadline is {deadline}.",
    "My manager wants it before {deadline}.",
    "Assume the reader knows nothing about the {noun}.",
    "Mention the {noun2} somewhere.",
    "This is the {nth} time I'm doing this so a template would be great.",
)

USER_CONTEXT = (
    "Some background: the {noun} are spread over three spreadsheets and nobody really owns the "
    "{noun2}, so whatever you write needs to be easy to follow.",
    "Last time we did this it took two weeks and {aud} complained about the {noun2}, so I want "
    "it right this time.",
    "We're a small team ({num} people) and I'm the only one who knows the {noun} well.",
    "The previous version was written years ago and is out of date — the {noun2} changed "
    "completely since then.",
    "It doesn't have to be perfect, {aud} mostly care that the {noun} are covered.",
    "My notes so far: {noun} — mostly done; {noun2} — not started; budget — unclear.",
)

DIRECTIVE_TAILS = (
    "Just give me the final version, no explanation needed.",
    "Write the whole thing, I'll paste it straight in.",
    "Don't ask questions, just make reasonable assumptions.",
    "No need to explain, just do it.",
    "",
    "",
)

DIRECTIVE_MORE = (
    "Now do the same for the {noun2}.",
    "Good. Also write the version for {aud}, same format.",
    "ok, next one: same thing but for {place}.",
    "Do another one, this time assume we have {num} {noun}.",
)

ITERATION_OPENERS = (
    "Let's work on this together: I need to {imp}. Start with a rough first draft.",
    "I want to {imp}. Give me a first pass and we'll refine it.",
    "First draft please: {imp}. We'll iterate.",
    "Can you start something for me? I'm {ger} and want to shape it as we go.",
)

# (user request, what the assistant says it changed)
ITERATION_FOLLOWUPS: tuple[tuple[str, str], ...] = (
    ("make it shorter", "shortened every point"),
    ("Good start. Now add a section on the {noun}.", "added a section on the {noun}"),
    ("Can you make the tone more {tone}?", "made the tone more {tone}"),
    ("swap the order of the second and third points", "swapped points 2 and 3"),
    ("ok now turn that into a table", "turned it into a table"),
    ("less formal please, it reads like a legal notice", "made it less formal"),
    ("Add something about the {noun2} too.", "worked in the {noun2}"),
    ("cut the intro, get straight to the point", "cut the intro"),
    ("Now write a version for {aud}.", "rewrote it for {aud}"),
    ("Can you split point {k} into two separate steps?", "split point {k} in two"),
    ("nice. tighten it to about half the length", "cut it roughly in half"),
    ("Keep the structure but use simpler words.", "simplified the wording"),
    ("Add a short checklist at the end.", "added a checklist at the end"),
    (
        "hmm, drop the part about the {noun} — we don't do that here",
        "removed the part on the {noun}",
    ),
    ("Great, now a one-paragraph summary for my boss.", "condensed it into a summary"),
    ("I don't like the opening. Try again with something punchier.", "rewrote the opening"),
    ("can you add rough time estimates to each step?", "added time estimates"),
)

FEEDBACK_REPORTS = (
    "I tried it and got this:\n\n{error}",
    "that didn't work. {error}",
    "still failing:\n```\n{error}\n```",
    "Ran it again after your change — now {error}",
    "ok here's what happened: {error}",
    "Nope. {error}",
    "Closer! But {error}",
)

FEEDBACK_FIX_INTROS = (
    "That tells us what's wrong: {cause}. Here's the corrected version:",
    "Thanks for pasting that. The problem is {cause}. Try this instead:",
    "Good catch — {cause}. Updated:",
    "Right, {cause}. This version handles it:",
)

FEEDBACK_CAUSES = (
    "an assumption about the input format doesn't hold for your {noun}",
    "one of the fields is empty for some of the {noun}",
    "the order of the steps matters here and I had two of them swapped",
    "the totals were computed before the {noun} were filtered",
    "the {noun} use a different unit than I assumed",
    "I referenced the old name of the {noun2} column",
)

VALIDATION_ASKS = (
    "{intro} Can you check my work? I'm {ger} and this is what I have so far:\n\n{work}",
    "Does this look right to you? It's my draft for {ger}.\n\n{work}",
    "I wrote this myself, please review it for mistakes before I send it. "
    "Context: I need to {imp}.\n\n{work}",
    "Sanity check please — is my approach OK? I need to {imp}. Here's what I did:\n\n{work}",
    "Can you proofread this and tell me if anything is off? {intro}\n\n{work}",
)

VALIDATION_FOLLOWUPS = (
    "so is point {k} actually wrong or just a style thing?",
    "OK, I fixed that. Anything else before I submit it?",
    "Are you sure about the part on the {noun}? My supervisor did it the same way last year.",
    "thanks. would you sign off on it now?",
)

LEARNING_ASKS = (
    "Why do {occ_plural} {imp}? I'm trying to understand the reasoning, not just get an answer.",
    "How does one {imp}? I'm new to this.",
    "Can you explain how to {imp}? {intro} I want to actually understand it.",
    "I keep hearing we should {imp}. What's the point, and how does it work?",
    "ELI5: what's involved in {ger}?",
    "What's the difference between the {noun} and the {noun2} when you {imp}?",
    "Teach me the basics of {ger}. What do beginners usually get wrong?",
)

LEARNING_FOLLOWUPS = (
    "that makes sense — but why is the {noun} part so important?",
    "can you give me a concrete example?",
    "What would happen if we skipped the step with the {noun}?",
    "how would you explain this to someone junior?",
    "Is there a rule of thumb for this?",
    "ok and how is this different from how it was done 10 years ago?",
    "I still don't get the part about the {noun2}. Can you rephrase?",
)

THANKS = (
    "thanks!",
    "Perfect, thank you.",
    "great, that works",
    "ty",
    "Awesome. That's exactly what I needed.",
    "thanks, sending it now",
)

ASSISTANT_ACKS = (
    "Glad it helps! Let me know if you need anything else.",
    "You're welcome — good luck with it.",
    "Happy to help. If anything changes, send it over and I'll adjust.",
)

DELIVERABLE_INTROS = (
    "Sure — here's {a_art} for {ger}.",
    "Here's a draft you can use.",
    "Below is {a_art} covering {obj}.",
    "Got it. Here's a version that assumes {assumption}.",
    "Here you go:",
)

ITERATION_INTROS = (
    "Here's the revised version — I {change}:",
    "Done. I {change}:",
    "Updated below ({change}):",
    "Sure, I {change}. Here it is:",
)

STEPS = (
    "Start by listing all the {noun} involved and who is responsible for each.",
    "Check the {noun} against last period's figures and flag anything that moved more than 10%.",
    "Group the {noun} by priority: what has to happen this week, this month, and later.",
    "Write down your assumptions about the {noun2} so reviewers can challenge them.",
    "Confirm the requirements with {aud} before committing to a timeline.",
    "Keep a short log of decisions about the {noun} — it saves arguments later.",
    "Set a review point after the first {num} items to see whether the approach works.",
    "For each open point on the {noun2}, name an owner and a date.",
    "Use one consistent template so the {noun} can be compared side by side.",
    "Note the risks around the {noun2} and what you would do if they materialise.",
    "Close with a two- or three-sentence summary for {aud}.",
    "Double-check names, dates and quantities before anything goes out.",
    "Gather the source material first: previous versions, notes from {aud}, anything on the "
    "{noun}.",
    "Decide up front what 'done' means — a clear acceptance criterion avoids endless revisions.",
    "Separate facts from recommendations so {aud} can see which is which.",
    "Flag anything about the {noun} that needs sign-off instead of deciding it yourself.",
    "Put the most important point first; most readers stop after the first paragraph.",
    "Where numbers are involved, show the calculation once so it can be checked.",
    "Keep the previous version of the {noun2} in case you need to roll back.",
    "Schedule a short follow-up with {aud} a week later to confirm it worked.",
    "Mark anything you're unsure about with [CHECK] so it gets a second look.",
    "Name the {noun} consistently so they're easy to find later.",
    "Budget extra time for the {noun2}; it's usually the part that slips.",
    "Share a draft early — feedback on a rough version is cheaper than on a polished one.",
)

PARAGRAPHS = (
    "The goal is to {imp} without disrupting day-to-day work. We'll start small, check the "
    "results, and expand once the approach is proven.",
    "Over the next two weeks we'll review the {noun}, agree on priorities with {aud}, and put a "
    "simple tracking sheet in place so nothing falls through the cracks.",
    "I've put together a first outline below. Please send comments on the {noun2} by {deadline} "
    "so we can finalise it.",
    "Where possible we'll reuse what already works; the changes mostly affect how the {noun} are "
    "handled and who signs off on them.",
    "If anything here conflicts with current commitments, flag it early and we'll adjust the "
    "timeline rather than cut corners.",
    "The main open question is the {noun2}. Until that is settled, treat the dates below as "
    "estimates.",
    "This covers roughly {num} items. The first batch is the most urgent; the rest can follow "
    "once the process has been tried once.",
    "Thanks to everyone who contributed so far — the notes on the {noun} were especially useful.",
)

TIMELINE = (
    "- Week 1: collect the {noun} and agree on scope with {aud}\n- Week 2: first draft and "
    "review\n- Week 3: final version and hand-over",
    "- Day 1–2: gather inputs\n- Day 3: draft\n- Day 4: review with {aud}\n- Day 5: final",
    "- Now: quick wins on the {noun}\n- Next month: the {noun2}\n- Later: review what worked",
)

DELIVERABLE_OUTROS = (
    "Want me to adapt this for a different audience?",
    "If you share the actual numbers I can fill in the blanks.",
    "Let me know if you'd like a shorter version.",
    "I can turn this into a checklist or an e-mail if that's easier.",
    "",
)

VALIDATION_REVIEWS = (
    "Overall this is solid work. A few things I'd look at before you send it:",
    "You're mostly on the right track. Some points to fix:",
    "Nice draft. I found a couple of issues:",
    "The approach is sound, but I'd change a few details:",
)

VALIDATION_PRAISE = (
    "What works well: the structure is clear and the main point comes early.",
    "The core logic is right, and the level of detail fits {aud}.",
    "Good that you stated the deadline explicitly; people often leave that out.",
)

VALIDATION_ANSWERS = (
    "Mostly style, but worth fixing: {aud} will read it literally. With that change I'd be "
    "comfortable sending it.",
    "It's a real issue, not just style — the two statements can't both be true. Pick the one "
    "that matches your records and adjust the other.",
    "Your supervisor's version may have worked under last year's assumptions, but check whether "
    "the {noun} changed since. If not, it's fine as is.",
    "Yes, with those fixes it reads well. One last pass for typos and it's ready.",
)

REVIEW_POINTS = (
    "The section on the {noun} states a conclusion without the evidence behind it; add one line "
    "on where the figure comes from.",
    "Point {k} contradicts what you say about the {noun2} further down.",
    "The order is a little confusing — put the {noun} before the {noun2}, since the second "
    "depends on the first.",
    "Watch the units: some of the {noun} are in different units than the rest.",
    "The deadline you mention doesn't match the one in the opening paragraph.",
    "This is correct, but {aud} may not know the abbreviation; spell it out once.",
    "The calculation for the {noun2} looks off by one period; recheck the start date.",
)

EXPLANATIONS = (
    "The short answer is that the {noun} drive most of the outcome, so everything else is "
    "organised around getting them right. If they are wrong, every later step only makes the "
    "error bigger.",
    "Think of it in three layers. First you establish what you are working with (the {noun}). "
    "Then you decide what good looks like for {aud}. Only then do you act on the {noun2}, "
    "because acting earlier means redoing work.",
    "Historically this was done by hand, which is why many places still follow a fixed "
    "checklist. The checklist exists because the same mistakes with the {noun2} kept happening.",
    "A useful mental model: every decision about the {noun} trades speed against reliability. "
    "Experienced people know which corners are safe to cut and which are not.",
    "Beginners usually focus on the {noun2} and forget that {aud} judge the result by the "
    "{noun}. Start from what the reader needs and work backwards.",
    "There are really two goals in tension: being thorough and being timely. Most of the rules "
    "you'll hear are ways of balancing the two for the {noun}.",
    "The reason for the order is dependency: you can't sensibly judge the {noun2} until the "
    "{noun} are settled, and changing them later ripples through everything.",
    "Standards exist here mostly for consistency. When every {occ} does it the same way, "
    "anyone can pick up someone else's work, audit it, or hand it over.",
    "It helps to separate the 'what' from the 'why'. The what is the procedure; the why is "
    "protecting {aud} from surprises. If a step doesn't serve that, question it.",
    "Good practitioners keep a feedback loop: they check the result against what was expected, "
    "note the gap, and adjust the next round. That habit matters more than any single "
    "technique.",
    "Most of the difficulty is in the edge cases — the unusual {noun} that don't fit the "
    "template. Learn the standard case first, then collect the exceptions as you meet them.",
    "Regulation and liability explain a lot of it: a documented process shows that reasonable "
    "care was taken if something about the {noun2} goes wrong later.",
)

EXAMPLES = (
    "For example, suppose you have {num} {noun}. You'd check the two biggest first, because "
    "they account for most of the risk, then sample the rest.",
    "Concrete case: a colleague once skipped the {noun2} review to save a day, and it cost a "
    "week of rework when {aud} spotted the gap.",
    "Imagine {aud} asking 'why this way?' — if you can answer in one sentence about the {noun}, "
    "you've understood it.",
    "Say the deadline is {deadline} and the {noun2} aren't ready. The standard move is to ship "
    "what is solid, mark the rest as pending, and tell {aud} exactly what is missing.",
)

NUMBERS = ("3", "5", "8", "12", "15", "20", "24", "30", "40", "50", "120", "200")
DEADLINES = ("Friday", "tomorrow morning", "end of day", "next Monday", "the 15th", "noon")
TONES = ("formal", "friendly", "neutral", "persuasive", "warm but professional", "direct")
LENGTHS = ("short", "under one page", "brief", "to about 300 words", "tight")
FORMATS = ("bullet points", "a table", "a short memo", "an e-mail", "numbered steps")
ORDINALS = ("first", "second", "third", "fourth")


@dataclass(frozen=True, slots=True)
class Domain:
    """Workplace context for one SOC major group."""

    places: tuple[str, ...]
    audiences: tuple[str, ...]
    artifacts: tuple[str, ...]
    errors: tuple[str, ...]
    code: bool = False  # whether drafts in this field are usually code


_OFFICE_ERRORS = (
    "the numbers in column D don't add up to the total, it's off by {num}",
    "Excel shows #REF! in every cell of the summary tab",
    "my manager says it's missing the {noun} entirely",
    "the system rejected it: 'required field missing: reference number'",
    "the totals came out as {num} but they should be way higher",
)

DOMAINS: dict[str, Domain] = {
    "11": Domain(
        ("our company", "the regional office", "a mid-size firm"),
        ("the board", "my leadership team", "department heads"),
        ("one-page memo", "plan", "briefing note", "action plan"),
        (
            "the board pushed back: they want costs broken down by quarter",
            "HR said the plan conflicts with the current policy on {noun}",
        )
        + _OFFICE_ERRORS[:2],
    ),
    "13": Domain(
        ("an accounting firm", "the finance team", "our audit practice"),
        ("the CFO", "auditors", "the client"),
        ("spreadsheet layout", "memo", "reconciliation summary", "report"),
        _OFFICE_ERRORS,
    ),
    "15": Domain(
        ("a startup", "our dev team", "the data team", "a SaaS company"),
        ("the other engineers", "the product team", "code reviewers"),
        ("script", "function", "module", "query"),
        (
            'Traceback (most recent call last):\n  File "main.py", line {num}, in <module>\n'
            "TypeError: 'NoneType' object is not subscriptable",
            "KeyError: 'customer_id'",
            "the build fails: error TS2339: Property 'items' does not exist on type '{{}}'",
            "ERROR 1064 (42000): You have an error in your SQL syntax near 'GROUP BY'",
            "it runs but returns an empty list for every input",
            "AssertionError in test_{noun}: expected {num}, got 0",
            "IndexError: list index out of range on line {num}",
            "docker: Error response from daemon: port is already allocated",
        ),
        code=True,
    ),
    "17": Domain(
        ("an engineering consultancy", "the design office", "our plant"),
        ("the project engineer", "the client's engineers", "the inspector"),
        ("calculation sheet", "design note", "spec", "test plan"),
        (
            "the load case gives a safety factor of 0.8, which can't be right",
            "the CAD export lost all the dimensions",
            "the MATLAB script says 'Index exceeds the number of array elements ({num})'",
            "the reviewer flagged that tolerances aren't specified",
        ),
    ),
    "19": Domain(
        ("a university lab", "our research group", "a field station"),
        ("the PI", "journal reviewers", "the lab"),
        ("analysis plan", "methods section", "R script", "summary of results"),
        (
            "R says: Error in lm(): object '{noun}' not found",
            "the p-values are all exactly 1, which seems wrong",
            "the plot comes out blank",
            "reviewer 2 says the sample of {num} is too small for this test",
        ),
    ),
    "21": Domain(
        ("a community center", "our nonprofit", "the counseling service"),
        ("clients", "families", "the case team"),
        ("session plan", "resource sheet", "case note", "handout"),
        (
            "my supervisor said the tone is too clinical for clients",
            "the intake form got bounced back: missing consent section",
            "a client said the handout was confusing",
        ),
    ),
    "23": Domain(
        ("a small law firm", "the legal department", "a legal aid clinic"),
        ("the partner", "opposing counsel", "the client"),
        ("memo", "clause", "letter", "brief outline"),
        (
            "the partner says the clause is unenforceable in our state",
            "the court clerk rejected the filing: wrong caption format",
            "the client says the letter misstates the dates",
        ),
    ),
    "25": Domain(
        ("a high school", "a community college", "the university", "a language school"),
        ("my students", "parents", "the department chair"),
        ("lesson plan", "worksheet", "lecture outline", "quiz", "rubric"),
        (
            "the students finished it in ten minutes — way too easy",
            "half the class got question {k} wrong, so it must be unclear",
            "the department chair says it doesn't match the curriculum standards",
        ),
    ),
    "27": Domain(
        ("an agency", "a design studio", "our newsroom", "a small production company"),
        ("the client", "our readers", "the creative director"),
        ("draft", "script", "brief", "pitch", "post"),
        (
            "the client says the tone is off — too salesy",
            "the editor cut it because it runs {num} words over",
            "the render failed halfway with 'out of memory'",
        ),
    ),
    "29": Domain(
        ("a clinic", "the hospital", "our ward", "a pharmacy"),
        ("patients", "the charge nurse", "the attending physician"),
        ("patient handout", "care plan", "shift summary", "protocol"),
        (
            "the charge nurse said the dosing table is confusing",
            "the EHR rejected the note: 'diagnosis code required'",
            "patients said the handout used too much jargon",
        ),
    ),
    "31": Domain(
        ("a care home", "a dental office", "the physio clinic"),
        ("residents", "patients", "the nurse in charge"),
        ("checklist", "schedule", "instruction sheet"),
        (
            "the nurse in charge said it misses the hygiene steps",
            "the schedule double-books two residents at {num}:00",
        ),
    ),
    "33": Domain(
        ("the station", "our security team", "the department"),
        ("the shift supervisor", "the public", "new recruits"),
        ("incident report", "briefing", "checklist"),
        (
            "the sergeant sent it back: times are missing",
            "the report form rejected it: 'narrative exceeds limit'",
        ),
    ),
    "35": Domain(
        ("a restaurant", "our café", "the hotel kitchen", "a catering business"),
        ("the kitchen staff", "guests", "the owner"),
        ("menu", "prep list", "recipe card", "order sheet"),
        (
            "the food cost came out at {num}% which is way too high",
            "the chef says the prep list misses half the mise en place",
        ),
    ),
    "37": Domain(
        ("a facilities company", "the grounds crew", "an office building"),
        ("the crew", "the building manager"),
        ("schedule", "checklist", "work order"),
        (
            "the building manager says the rota leaves Friday uncovered",
            "the supplier says the chemical order is wrong",
        ),
    ),
    "39": Domain(
        ("a salon", "a gym", "a childcare center", "a travel company"),
        ("clients", "parents", "members"),
        ("schedule", "program", "client note", "itinerary"),
        (
            "a client complained the plan is too intense",
            "the itinerary has them arriving after check-in closes",
        ),
    ),
    "41": Domain(
        ("a retail store", "our sales team", "a real estate agency", "an insurance brokerage"),
        ("prospects", "customers", "my sales manager"),
        ("pitch", "follow-up e-mail", "listing", "quote"),
        (
            "the prospect replied it's too long and pushy",
            "the CRM rejected the import: 'invalid phone format'",
            "my sales manager says the discount math is wrong",
        ),
    ),
    "43": Domain(
        ("the front office", "a logistics firm", "the billing department", "our HR team"),
        ("my supervisor", "callers", "vendors"),
        ("e-mail", "spreadsheet", "form letter", "schedule"),
        _OFFICE_ERRORS,
    ),
    "45": Domain(
        ("a family farm", "the nursery", "a fishing co-op"),
        ("the crew", "buyers", "the inspector"),
        ("log", "plan", "record sheet"),
        (
            "the inspector said the spray log is missing dates",
            "yields came out {num}% lower than the plan assumed",
        ),
    ),
    "47": Domain(
        ("a construction company", "the job site", "a roofing crew"),
        ("the foreman", "the homeowner", "the inspector"),
        ("estimate", "materials list", "schedule", "safety plan"),
        (
            "the inspector failed it: no fall-protection plan",
            "the materials estimate was short by {num} units",
            "the homeowner says the quote doesn't include cleanup",
        ),
    ),
    "49": Domain(
        ("a repair shop", "the maintenance department", "a dealership"),
        ("the service manager", "customers", "the shift lead"),
        ("checklist", "work order", "diagnostic plan"),
        (
            "still getting the same fault code after the fix",
            "the customer says the noise came back after {num} miles",
            "the test failed at step {k}",
        ),
    ),
    "51": Domain(
        ("a factory", "the production line", "a print shop", "a food plant"),
        ("the line supervisor", "quality control", "operators"),
        ("work instruction", "inspection sheet", "setup checklist"),
        (
            "QC rejected the batch: {num} units out of tolerance",
            "operators say step {k} is impossible to follow at line speed",
        ),
    ),
    "53": Domain(
        ("a trucking company", "the warehouse", "the airport", "a delivery service"),
        ("drivers", "dispatch", "the warehouse lead"),
        ("route plan", "loading checklist", "schedule"),
        (
            "dispatch says the route has two drivers at the same dock",
            "the load plan is over the weight limit by {num} lbs",
        ),
    ),
}

GENERIC_DOMAIN = DOMAINS["43"]

CODE_TEMPLATES = (
    '```python\ndef {fn}(rows):\n    """Return {noun} grouped by status."""\n'
    '    result = {{}}\n    for row in rows:\n        if not row.get("status"):\n'
    '            continue\n        result.setdefault(row["status"], []).append(row)\n'
    "    return result\n```",
    "```sql\nselect {col}, count(*) as n\nfrom {table}\nwhere updated_at >= current_date - "
    "interval '30 days'\ngroup by {col}\norder by n desc;\n```",
    '```python\nimport csv\n\n\ndef load_{fn}(path):\n    with open(path, newline="") as f:\n'
    '        return [r for r in csv.DictReader(f) if r["{col}"].strip()]\n```',
    "```javascript\nexport async function {fn_camel}(api) {{\n"
    "  const res = await api.get('/{col}');\n"
    "  if (!res.ok) throw new Error(`request failed: ${{res.status}}`);\n"
    "  return res.json();\n}}\n```",
)

WORK_SAMPLES = (
    "Summary of {noun}:\n- {num} items reviewed, {k} need follow-up\n- main issue: {noun2} "
    "not updated since last quarter\n- next step: send a reminder to {aud}",
    "Dear team,\n\nAs discussed, we will start on the {noun} next week. Please make sure the "
    "{noun2} are ready by {deadline}. Let me know if you have questions.\n\nBest regards",
    "Draft {art}: {Obj}\n\nPurpose: to {imp}.\nSteps: review the {noun}, update the {noun2}, "
    "send to {aud}.\nOpen question: do we need sign-off before {deadline}?",
    "1. Collect the {noun}\n2. Compare with the {noun2} from last time\n3. Flag differences over "
    "{num}%\n4. Send the summary to {aud}",
    "Plan: first review {noun}, then update the {noun2}, then present to {aud} on {deadline}. "
    "Budget is {num}k and we have two people on it.",
)

# Non-work chatter: (opening question, assistant answer, ((follow-up, answer), ...)).
CHITCHAT: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "what can I make for dinner with {ing1}, {ing2} and some rice? nothing too fancy",
        "Here's an easy one-pan idea: fry the {ing1} with garlic and onion for about five minutes, "
        "add the {ing2} and a splash of soy sauce, then stir in the cooked rice and let it crisp "
        "for a few minutes. Top with a fried egg or spring onions. It takes about 20 minutes and "
        "serves two. If you want it spicier, add chili flakes at the start.",
        (
            (
                "can I make it without soy sauce?",
                "Sure — use a pinch of salt plus a little lemon juice or Worcestershire sauce "
                "instead. "
                "Fish sauce also works if you have it, but use half as much.",
            ),
            (
                "how long does it keep in the fridge?",
                "Up to three days in a sealed container. Reheat it in a pan rather than the "
                "microwave "
                "so the rice gets a bit crispy again.",
            ),
        ),
    ),
    (
        "Give me a recipe for {dish} for {num} people",
        "Sure! For {dish} for {num}: plan about an hour, a large pot, and everything prepped "
        "before "
        "you start — chop the vegetables and measure the spices. Cook the base slowly over medium "
        "heat so the flavours develop, then add the rest in stages. Taste and adjust salt at the "
        "end, not the beginning. Serve with bread or a simple green salad, and if you have "
        "leftovers, they are usually even better the next day.",
        (
            (
                "can I prepare it the day before?",
                "Yes, it reheats well. Cool it quickly, keep it covered in the fridge, and warm it "
                "gently with a splash of water so it doesn't dry out.",
            ),
            (
                "what wine goes with it?",
                "A medium-bodied red is a safe bet; if your guests prefer white, pick something "
                "with a "
                "bit of acidity so it stands up to the sauce.",
            ),
            (
                "make it vegetarian",
                "Easy: swap the meat for beans or lentils and use vegetable stock. Add a spoon of "
                "tomato paste or miso for depth, since you lose some savoury flavour.",
            ),
        ),
    ),
    (
        "who was the first person to {feat}?",
        "That record is usually credited to one well-documented attempt, though historians note "
        "that others may have tried earlier without reliable witnesses. It became famous because "
        "newspapers covered it at the time, and it inspired many later attempts — several of which "
        "ended badly, which is part of why the first success is remembered.",
        (
            (
                "really? how did they prepare?",
                "Mostly through years of smaller attempts, careful planning and a support team. "
                "Equipment was primitive by today's standards, so endurance mattered a lot.",
            ),
        ),
    ),
    (
        "settle a bet: is a tomato a fruit or a vegetable?",
        "Botanically it's a fruit — it develops from the flower and contains seeds. In cooking "
        "it's treated as a vegetable because of its savoury flavour. In 1893 the US Supreme Court "
        "even ruled it a vegetable for tariff purposes, so you could both claim to be right.",
        (
            (
                "ha, what about cucumbers?",
                "Same story: botanically a fruit (a berry, technically), culinarily a vegetable. "
                "Peppers, eggplants and pumpkins are in the same boat.",
            ),
        ),
    ),
    (
        "I'm planning a {num}-day trip to {city}. what should I not miss?",
        "{city} is a great choice. On the first day, walk the old town and get your bearings; "
        "the main squares are lively in the evening. Set aside a day for the big museums and book "
        "tickets ahead to skip queues. Try the local markets for lunch — cheaper and better than "
        "tourist restaurants. If you have time left, a day trip to the countryside nearby is worth "
        "it. Public transport is reliable, so a multi-day pass usually pays off.",
        (
            (
                "what's the weather like in spring?",
                "Generally mild, with some rain — pack layers and a light waterproof jacket. "
                "Spring is "
                "also a bit less crowded than summer, which is a plus.",
            ),
            (
                "any tips for eating cheaply?",
                "Eat your main meal at lunch, when many places offer a fixed-price menu, and look "
                "for "
                "spots a couple of streets away from the big sights.",
            ),
            (
                "is it safe to walk around at night?",
                "The central areas are generally fine; use normal big-city caution, keep an eye "
                "on your "
                "phone in crowds, and take a licensed taxi late at night.",
            ),
        ),
    ),
    (
        "my {relative} and I had a big argument and now we're not talking. how do I fix this?",
        "That sounds painful, and it's good that you want to repair it. A few things tend to help: "
        "give it a little time so you're both calmer, then reach out with something short and "
        "low-pressure — not a debate about who was right. Acknowledge their side first, even if "
        "you still disagree. Most people respond better to 'I miss talking to you' than to a "
        "detailed argument. If it keeps happening, talk about the pattern rather than the fight.",
        (
            (
                "what if they don't answer?",
                "Give it some time. You've done your part by reaching out; a short follow-up "
                "after a "
                "week or two is fine, but pressing harder usually backfires.",
            ),
            (
                "should I apologise even if I think I was right?",
                "You can apologise for how things went — the tone, the timing — without conceding "
                "the "
                "whole argument. That is often what unlocks the conversation.",
            ),
        ),
    ),
    (
        "recommend some {genre} movies like {movie}",
        "If you liked {movie}, a few directions to try: other films by the same director first, "
        "then the classics of the genre from the 90s, which share the pacing and atmosphere. A "
        "couple of recent international titles are worth a look too — they often take the genre "
        "somewhere unexpected. Tell me what you liked most about it and I can narrow it down.",
        (
            (
                "something lighter maybe",
                "Then go for a comedy with the same vibe — ensemble casts and a clever plot tend "
                "to hit "
                "the same notes without the heaviness.",
            ),
            (
                "I liked the twist at the end mostly",
                "Then look for mysteries and thrillers known for their endings; avoid reading "
                "reviews "
                "first, since spoilers are everywhere.",
            ),
        ),
    ),
    (
        "tell me a joke about {thing}",
        "Why did the {thing} go to therapy? It had too many unresolved issues. ...I'll see myself "
        "out. Want another one, or maybe a pun-free version?",
        (
            (
                "another one!",
                "What do you call {thing} that tells jokes? A pun-dit. Okay, that one was worse.",
            ),
            ("that was terrible lol", "I know. I'm contractually obliged to make at least one."),
        ),
    ),
    (
        "how do I get my {pet} to stop {habit}?",
        "That's a common problem. Consistency is key: reward the behaviour you want immediately, "
        "and redirect rather than punish when it happens. Make sure they get enough exercise and "
        "stimulation, because a lot of unwanted behaviour comes from boredom. Most pets need two "
        "to four weeks of consistent practice before the new habit sticks, and everyone in the "
        "household has to respond the same way.",
        (
            (
                "what treats work best?",
                "Small, soft and very tasty — something they only get during training, so it stays "
                "special.",
            ),
            (
                "is it too late for an older animal?",
                "Not at all. Older animals learn more slowly, but they can absolutely pick up new "
                "habits with patience.",
            ),
        ),
    ),
    (
        "what's a good workout routine if I only have {num}0 minutes a day?",
        "You can do a lot in that time. Alternate days: strength (squats, push-ups, rows, lunges, "
        "plank — three rounds) and cardio intervals (30 seconds hard, 30 seconds easy). Warm up "
        "for "
        "a few minutes first. Track what you do so you can add reps each week; that gradual "
        "increase is what makes progress. Rest at least one day a week.",
        (
            (
                "can I do this without equipment?",
                "Yes — use a backpack with books for rows, and a sturdy table edge for inverted "
                "rows. "
                "Everything else is bodyweight.",
            ),
            (
                "how soon will I see results?",
                "Most people feel a difference in energy within two weeks and see visible changes "
                "after six to eight, if they stay consistent.",
            ),
        ),
    ),
    (
        "write a short poem for my {relative}'s birthday, they love {hobby}",
        "Here's a little something:\n\nAnother year of {hobby} and cheer,\nof laughter shared "
        "with those held dear.\nMay this one bring you time to play,\nand joy in every single "
        "day.\n\nHappy birthday! Want it funnier or more sentimental?",
        (
            (
                "make it funnier",
                "Another year, another cake,\nanother candle you can't fake.\nBut {hobby} keeps "
                "you "
                "young at heart —\nwell, at least that's the theory part.",
            ),
        ),
    ),
    (
        "why is the sky blue? my kid asked and I had no idea",
        "Sunlight contains all colours. When it passes through the air, tiny gas molecules "
        "scatter short wavelengths (blue) much more than long ones (red), so blue light reaches "
        "you from all directions in the sky. At sunset the light travels through more air, the "
        "blue is scattered away, and you see oranges and reds. Kid version: the air bounces blue "
        "light around the most.",
        (
            (
                "and why are clouds white then?",
                "Cloud droplets are much bigger than gas molecules, so they scatter all colours "
                "about "
                "equally — and all colours together look white.",
            ),
        ),
    ),
    (
        "I can't sleep lately. any tips?",
        "Sorry to hear that. The basics help more than people expect: same wake-up time every "
        "day, daylight in the morning, no caffeine after lunch, and a cool, dark room. Put the "
        "phone away half an hour before bed. If you're lying awake for more than 20 minutes, get "
        "up and do something dull in dim light until you feel sleepy. If it goes on for weeks, "
        "it's worth mentioning to a doctor.",
        (
            (
                "does melatonin help?",
                "It can help with timing, like jet lag, but it's not a strong sleeping pill. Ask a "
                "pharmacist about dose and interactions before using it regularly.",
            ),
        ),
    ),
    (
        "what's the best way to learn to play {instrument} as an adult?",
        "Adults learn well when practice is short and regular — 20 minutes a day beats two hours "
        "on Sunday. Start with a few simple songs you actually like, learn the basic chords or "
        "scales behind them, and record yourself once a week to hear progress. A handful of "
        "lessons with a teacher early on prevents bad habits that are hard to unlearn later.",
        (
            (
                "how long until I can play something decent?",
                "With daily practice, most people can play simple songs comfortably within two to "
                "three months.",
            ),
        ),
    ),
    (
        "help me pick a name for my new {pet}",
        "Fun! A few ideas by style — classic: Max, Luna, Oscar; food-themed: Biscuit, Mochi, "
        "Pepper; a bit grand: Duchess, Admiral, Sir Reginald. Tell me the colour and personality "
        "and I'll suggest some that fit better.",
        (
            (
                "it's orange and very lazy",
                "Then Garfield is almost too obvious — maybe Pumpkin, Marmalade or Nacho.",
            ),
        ),
    ),
    (
        "who would win in a fight, a gorilla or a grizzly bear?",
        "Most zoologists would bet on the grizzly: it's heavier, has claws and a thick hide, and "
        "is used to fighting other bears. A gorilla is enormously strong but not built for that "
        "kind of fight. Luckily their ranges never overlap, so it stays a hypothetical.",
        (
            (
                "what about a lion vs a tiger?",
                "Tigers are usually larger and fight alone, so most experts give them a slight "
                "edge.",
            ),
        ),
    ),
)

CHIT_FILL: dict[str, tuple[str, ...]] = {
    "ing1": ("chicken", "tofu", "chickpeas", "leftover salmon", "mushrooms", "bacon"),
    "ing2": ("spinach", "peppers", "frozen peas", "zucchini", "canned tomatoes", "kale"),
    "dish": ("lasagna", "chili", "a Thai green curry", "shakshuka", "paella", "mac and cheese"),
    "feat": (
        "climb Everest",
        "swim the English Channel",
        "fly solo across the Atlantic",
        "reach the South Pole",
        "run a four-minute mile",
    ),
    "person": ("a famous explorer", "a record-setting athlete", "an early aviator"),
    "city": ("Lisbon", "Kyoto", "Mexico City", "Prague", "Cape Town", "Montreal", "Seoul"),
    "relative": ("sister", "brother", "mom", "dad", "best friend", "roommate", "partner"),
    "genre": ("sci-fi", "horror", "feel-good", "heist", "animated", "mystery"),
    "movie": ("Arrival", "Knives Out", "Paddington 2", "Ocean's Eleven", "Spirited Away"),
    "thing": ("cats", "pizza", "penguins", "the weather", "bicycles", "coffee"),
    "pet": ("dog", "cat", "puppy", "parrot"),
    "habit": (
        "barking at the mail carrier",
        "scratching the couch",
        "jumping on guests",
        "waking me up at 5am",
    ),
    "hobby": ("gardening", "hiking", "chess", "baking", "jazz", "fishing"),
    "instrument": ("guitar", "piano", "the violin", "drums", "the ukulele"),
}

FIRST_NAMES = tuple(
    """Maria James Priya Chen Fatima Lukas Aisha Diego Olga Kwame Sofia Hiroshi Emma Rahul Noah
    Leila Mateo Ingrid Tomasz Grace""".split()
)
LAST_NAMES = tuple(
    """Gonzalez Smith Natarajan Wei Haddad Becker Okafor Fernandez Ivanova Mensah Rossi Tanaka
    Johnson Sharma Williams Karimi Lopez Larsen Kowalski Obi""".split()
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "corp.example")
US_AREA_CODES = ("212", "312", "415", "617", "206", "303", "404", "512", "713", "919")

PII_SNIPPETS = (
    "You can reach me at {email} if that's easier.",
    "cc my colleague {name} ({email}) on the final version.",
    "Call me at {phone} if anything is unclear.",
    "Sign it as {name}, {phone}.",
    "My manager {name} will review it.",
    "The contact for this is {name}, {email}, tel. {phone}.",
)
