from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_guide.config import MatchSettings
from voice_guide.content import load_library
from voice_guide.commands import CHOICE_COMMANDS, GLOBAL_COMMANDS, SOCIAL_COMMANDS, load_commands
from voice_guide.features import SKIPPED_IN_PHRASES, load_neutral
from voice_guide.evaluation import Case, is_correct, judged
from voice_guide.matcher import Kind, Match, Matcher
from voice_guide.text import clean, stem

PARAPHRASES = Path(__file__).parent / "data" / "paraphrases.yaml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_library())


# -- safety -----------------------------------------------------------------------------------

EMERGENCIES = [
    "i can't breathe",
    "my husband can't catch his breath",
    "um my chest feels really tight and i cant breath",
    "she's gasping for air",
    "his lips are turning blue",
    "i'm having chest pain",
    "we can't get my husband to wake up",
    "my chest really hurts and my arm is numb",
    "there's a crushing pressure in my chest",
    "help i think i'm having a heart attack",
    "her face is drooping and her speech is slurred",
    "he suddenly can't move his legs",
    "she's having a seizure",
    "my dad is shaking all over and won't respond",
    "my wife passed out and she's not waking up",
    "someone just collapsed",
    "he's unconscious",
    "she fell and hit her head and isn't moving",
    "i'm bleeding a lot and it won't stop",
    "there's so much blood",
    "my brother is throwing up blood",
    "she is coughing up blood",
    "i took too many pills",
    "she popped way too many of her sleeping pills",
    "my temperature is thirty nine point five",
    "he's fighting for breath",
    "my dad's clutching his chest",
    "it feels like an elephant is sitting on my chest",
    "her face has dropped on one side",
    "he can't lift his right arm",
    "i've got a fever and i'm shivering",
    "she's gone all confused",
    "i'm in agony",
    "dial nine nine nine",
    "my tongue is swelling up after the infusion",
    "i think i have a blood clot in my lung",
    "my poo is black and tarry",
    # a review found these lost to guards meant for everyday sentences
    "i think he had a heart attack in the past hour",
    "she is cold and not responding",
    "my left leg has gone weak since i woke up",
    "i get out of breath when i am resting",
    "i think i took too much, what should i do",
    "i think my mom overdosed on her pain meds",
    "he swallowed a whole bottle of tablets",
    "i have a fever of one hundred and two",
    "please call an ambulance",
    "my husband choked on a piece of meat",
    "the baby is choking",
    "she looks grey and her lips are blue",
    "i think he's having a stroke",
    "he's slurring his words",
    "i think my dad is dead",
    "is she dead",
    "i feel like i'm going to faint",
    "my son choked",
    "he's choked",
    "grandma choked on her food",
    "my son went blue",
    "mum looks grey",
    "i feel dizzy and faint",
    "i think mum is dead",
    "suddenly slurring",
    "she is slurring and confused",
]
CRISES = [
    "i want to kill myself",
    "i've been thinking about ending my life",
    "i want to end it all",
    "i have a plan to end things",
    "i'm going to take all my pills tonight",
    "i don't want to live anymore",
    "i don't want to wake up tomorrow",
    "i wish i could go to sleep and never wake up",
    "i just want it all to be over",
    "i can't do this anymore i want to die",
    "i'd rather be dead",
    "what's the point of going on",
    "i don't see the point anymore",
    "life isn't worth living",
    "everyone would be better off without me",
    "my family would be better without me",
    "nobody would miss me if i was gone",
    "no one would even notice if i was gone",
    "i'm such a burden to everyone",
    "i keep thinking about cutting myself",
    "i've been saving up my pills",
    "i wrote a goodbye letter",
    "i'm giving away all my things",
    "i'm tired of living",
    "i feel hopeless",
    "my sister said she wants to die",
    "he talks about suicide",
    "maybe it would be easier if i just wasn't here",
    "i keep thinking everyone would be happier if i died",
    "i've written notes to my kids to say goodbye",
    "this is goodbye for good",
    "i want to slit my wrists",
    "i keep cutting my arms",
    "i hope it all ends soon",
    "i wish everything would just stop",
    "i just want to be done",
    "i wish i could just go away",
    "i want my suffering to end",
    "i'm done living",
    "i just wanted it all to be over",
    "i wanted to die when they told me",
    "i've been hoarding my morphine so i can end it",
    "what's the lethal dose of my tablets",
    "i might as well be dead",
    "i feel like taking all my pills at once",
    "i have my pills lined up and my doctor does not know",
    "i'm going to take all my morphine tonight and not wake up",
    "i want to go to sleep forever",
    "i just want to fall asleep and be done with it all",
    "i want to go to sleep and wake up in heaven",
    "i want to fall asleep and then just be gone",
    "i want to go to sleep and dream forever",
    "i can't go to sleep and face another day of this",
    "if only i could go to sleep and not wake up",
    "i'm ready to go to sleep for good",
    "if only i could close my eyes and never open them again",
    "i'd be happy if i never woke up",
    "i hope i die in my sleep tonight",
    "i'm ready for the long sleep",
    "i just want to lie down and never get up again",
    "i want to go to sleep and wake up with my husband again",
]

CRISES += [  # a rope made ready (a gun was there, a rope was not; "noose" is left out: see safety.yaml)
    "i tied a rope to the beam in the garage", "the rope is tied to the beam", "i put a belt around my neck",
]
EMERGENCIES += [  # not swallowing at all; sight lost in one eye
    "i can't swallow", "she can't swallow anything", "he can't swallow his own saliva", "i can't swallow water anymore",
    "i can't swallow anything since this morning", "i can not even swallow water", "he can't swallow or drink anything",
    "my husband can't swallow", "i'm unable to swallow",
    "i can't see out of one eye", "she can't see out of her left eye", "i've lost the sight in my right eye",
]
# A review of the third probe set's changes: with no punctuation from a recognizer, a guard must not
# swallow the words after an alarm ("a seizure medication is not helping").
EMERGENCIES += [
    "he is having a seizure medication is not helping", "my husband collapsed symptoms came on an hour ago",
    "she fainted signs of a stroke maybe", "i fainted a month ago and again just now", "his seizure won't stop",
    "my dad grabbed his head and said it's the worst pain he's ever had", "my eyesight just went",
]
CRISES += ["i just give up on this thing", "i give up on this form", "i've stopped caring whether i live or die"]
# How the recognizer heard spoken tuning statements ("fell and hit her head", "what's the point of
# going on", "i can't catch my breath")
EMERGENCIES += ["she fell ended her head in his moving", "i don't catch my breath"]
CRISES += ["what's the blind of going on", "what's the plain of going on"]
# A second review: wordings close to the new triggers, each way
EMERGENCIES += [
    "it's like a curtain is coming down over my eye",
    "a shadow is moving across my vision",
    "it's like a curtain over my eyes",
    "there is a shadow over part of my vision",
    "a grey curtain came down over half my vision",
    "like a dark curtain across both eyes",
    "my vision went all blurry suddenly",
    "my sight went fuzzy all of a sudden",
    "i suddenly got a massive headache",
    "i suddenly got a crushing headache",
    "she suddenly developed a horrible headache",
    "i suddenly got an excruciating headache",
    "her seizure plan isn't working she is still shaking",
    "she has a seizure medication is not working",
    "he's having another seizure medication isn't helping",
    "he's having seizures medication is not working",
    "my husband doesn't catch his breath",
    "mum doesn't catch her breath",
    "everything went black",
    "i've gone blind overnight",
    "i lost my sight this morning",
]
CRISES += [
    "my husband says he doesn't care if he lives or dies",
    "she says she doesn't care whether she lives or dies",
    "i couldn't care less if i live or die",
    "it doesn't matter to me whether i live or die",
    "what's the blind of going on anymore",
    "i have lost hope",
]

# The fourth probe set's gaps, in other words than its own: chest pressure said before the chest,
# blood coming up, a pressed spinal cord (back pain with legs failing or the bladder lost), confusion
# in everyday words, breathing gone wrong, an accidental double dose, a fit's signs, choking.
EMERGENCIES += [
    "a squeezing pain in his chest", "there is blood coming up with her cough", "his sick looks like coffee grounds",
    "the cut on his leg is gushing and i'm on blood thinners", "my lower back is agony and my legs keep buckling",
    "she's wet herself and says her back is killing her", "he hasn't been able to pass water since this morning",
    "mum's talking gibberish", "my grandma has gone all muddled", "his breathing has gone really shallow",
    "it hurts her to breathe", "her lips have got a blue tinge", "i think i gave dad his morphine twice by accident",
    "her eyes rolled back and she went stiff as a board", "he's clutching at his throat",
    "my toddler swallowed some of my tablets", "the kids got into the medicine cabinet and ate some",
    "she can't feel anything from her waist down", "i can barely rouse him",
]
CRISES += [
    "i've got a noose ready", "i keep thinking about taking the gun and using it on myself",
    "sometimes i think about stepping over the railing on the bridge", "i looked up how high the bridge is",
    "i'm going to do myself in", "i've been cutting my thighs with a razor", "i just want to lie down in front of a train",
    "i keep thinking i'd be better off never waking up", "i said my goodbyes last night because i'm not going to be around much longer",
    "i'm dying anyway so i might as well help it along", "the tablets i've been hoarding are in my drawer",
]

# A review of the fourth set's changes: what they broke (not moving said of oneself, a child's one
# pill, a second seizure after one last year) and close variants they still missed.
EMERGENCIES += [
    "i can't move", "help i can not move", "i am on the floor and i can't move", "the baby ate a pill",
    "my toddler ate my anastrozole", "the dog ate my tamoxifen", "the baby chewed on my morphine patch",
    "she had a seizure last year and now she is having another one", "my legs have gone weak and my back hurts could it be the cancer",
    "i've become incontinent and i have terrible back pain", "pins and needles in both legs with pain in my back",
    "grandad's gone all muddled", "he's breathing really slowly", "her breaths are very shallow", "it hurts to take a deep breath",
    "his lips have gone a bit blue", "i doubled up on my oxycodone by accident", "his eyes rolled into the back of his head",
    "she's clawing at her throat", "i am coughing up clots", "there's a tight band across my chest",
    "i can't wee and my back is killing me", "my dad has not been able to pass water all day",
]
CRISES += [
    "i want to turn the gun on myself", "i want to step off the roof", "i want to go under a train",
    "i'm going to top myself", "i want to hasten my death",
]
EMERGENCIES += [  # what this session's guards must still catch (a person, my medicines, real bleeding)
    "my toddler got into my pills", "the dog got into my tamoxifen", "the kids took my tablets for their cold",
    "my grandson had some of my chemo pills", "my husband is not responding", "i can't wake up my husband",
    "he can't wake up", "the cut keeps bleeding no matter how hard i press", "her breathing is really fast",
    "his breathing is noisy and rattly", "she's talking gibberish", "he keeps talking rubbish and doesn't make any sense",
    "i've been sick and it has black bits in it like coffee",
    # slow or shallow breathing in someone asleep (sleep said only as the cause excuses it)
    "her breathing has gone very slow since she fell asleep", "my husband is asleep and his breathing is really shallow and slow",
    "her breathing is very slow and noisy while sleeping after her oramorph",
    "my dad has dementia but today he is suddenly muddled",  # a sudden change, not the dementia
    "she had chemo last week and now her lips have gone a funny blue colour",
]
CRISES += [
    "i have got a rope and i know where i will do it", "she keeps talking about climbing over the railing on the balcony",
    "could i speed things up i'm dying anyway", "he said goodbye and says he is not planning to be around much longer",
    "i cut my arms with a razor",
]


@pytest.mark.parametrize("said", EMERGENCIES)
def test_emergencies_route_to_safety(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert m.kind is Kind.SAFETY
    assert m.safety == "emergency"
    assert m.section is None and m.command is None


@pytest.mark.parametrize("said", CRISES)
def test_crises_route_to_safety(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert m.kind is Kind.SAFETY
    assert m.safety == "crisis"


@pytest.mark.parametrize("said", ["i want you to stop", "i want you to stop talking now"])
def test_asking_the_guide_to_stop_is_no_crisis(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert (m.kind, m.command) == (Kind.COMMAND, "stop"), m


def test_safety_parts_are_spelled_out_once_for_every_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    import voice_guide.safety as safety

    data = {"parts": {"pills": "pills|tablets"}, "emergency": ["took all my ({{pills}})"], "crisis": ["save my ({{pills}})"]}
    monkeypatch.setattr(safety, "load_data", lambda name: data)
    screen = safety.SafetyScreen()
    assert (screen.kind("i took all my tablets"), screen.kind("save my pills"), screen.kind("took all my {{pills}}")) == (
        "emergency", "crisis", None)


def test_each_hearing_is_screened_once_however_often_a_turn_asks() -> None:
    """The dialogue and the matcher both screen the best hearing, and the runner-ups are screened for an
    alarm and again when they settle a clarification: the patterns run once per text."""
    import re

    from voice_guide.safety import SafetyScreen

    searched: list[str] = []

    class Counting:
        def search(self, text: str) -> re.Match[str] | None:
            searched.append(text)
            return re.search(r"chest pain", text)

    screen = SafetyScreen({"emergency": (Counting(),)})  # type: ignore[dict-item]
    assert [screen.kind("chest pain now"), screen.kind("hello"), screen.kind("chest pain now")] == ["emergency", None, "emergency"]
    assert searched == ["chest pain now", "hello"]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"emergency": ["took all my ({{pills}})"]}, "no part named 'pills'"),
        ({"parts": ["pills"], "emergency": []}, "'parts' must map names"),
        ({"emergency": ["took all (my"]}, "is not a valid pattern"),
        ({"parts": {"a": "x{{b}}", "b": "y"}, "emergency": ["{{a}}"]}, "still has '{{'"),
        ({"parts": {"as-told": "x"}, "emergency": ["{{as-told}}"]}, "still has '{{'"),
        ({"emergency": ["x"], "untaught": {"crises": ["noose"]}}, "'untaught' must map kinds"),
        ({"emergency": ["x"], "untaught": ["noose"]}, "'untaught' must map kinds"),
        ({"emergency": ["x"], "untaught": {"emergency": ["(noose"]}}, "is not a valid pattern"),
    ],
)
def test_a_broken_safety_file_is_a_one_line_content_error(monkeypatch: pytest.MonkeyPatch, data: dict, said: str) -> None:
    import voice_guide.safety as safety
    from voice_guide.errors import ContentError

    monkeypatch.setattr(safety, "load_data", lambda name: data)
    with pytest.raises(ContentError, match=said) as raised:
        safety.load_safety()
    assert "\n" not in str(raised.value) and str(raised.value).startswith("voice_guide/data/safety.yaml")


def test_every_shared_safety_part_is_used() -> None:
    from voice_guide.data_files import load_data

    text = "\n".join(str(p) for kind, patterns in load_data("safety.yaml").items() if kind != "parts" for p in patterns)
    assert all(f"{{{{{name}}}}}" in text for name in load_data("safety.yaml")["parts"])


def test_safety_wins_over_everything_else(matcher: Matcher) -> None:
    assert matcher.match("stop i can't breathe").kind is Kind.SAFETY
    assert matcher.match("help").kind is Kind.COMMAND
    assert matcher.match("help i'm having a seizure").kind is Kind.SAFETY
    assert matcher.match("is it still breast cancer if i want to die").kind is Kind.SAFETY


@pytest.mark.parametrize(
    "said",
    [
        "i can't stop crying",
        "i feel numb",
        "is it normal to feel angry",
        "can breast cancer spread to the lungs",
        "what does it mean if it does not respond to treatment",
        "am i going to die from this",
        "my husband won't talk to me about any of it he's so down",
        "what if they can't get my old tissue",
        "is my hair going grey from the chemo",
        "i want the nausea to go away",
        "i want to stop treatment",
        "my eyes are blue",
        "i had a fever forty years ago",
        "i wanted to know where it spreads",
        # a quantity or "all" without a medicine, taking medicines as prescribed, a risk or the past
        "i had a lot of questions for my doctor",
        "i had all my scans last week",
        "i've been taking all my pills as prescribed",
        "i'm taking all my medications",
        "they've taken a lot of blood for tests",
        "does radiotherapy raise my risk of a heart attack",
        "i get a bit out of breath climbing the stairs",
        "my hands and feet feel numb since chemo",
        "i had a seizure years ago can i still have chemo",
        "how do i know if i have a fever",
        "my stool looks black is that the iron tablets",
        "i have a temperature check tomorrow",
        "is my prescription ready",
        "the pills are ready at the pharmacy",
        "i broke my leg last year",
        "i don't know where i'm supposed to go for my appointment",
        # trouble sleeping is common in treatment
        "i can't fall asleep and it's driving me mad",
        "i go to sleep and wake up at three every night",
        "i fell asleep and missed my appointment",
        "i have trouble going to sleep and staying asleep",
        "i go to sleep and i wake up soaked in sweat",
        "i have a hard time falling asleep and staying asleep",
        "can i go to sleep and skip my evening dose",
        "i fall asleep and have nightmares",
        "i don't want to wake up my wife when i get up at night",
        "i wish i could go to sleep and not wake up at 4am every day",
        "i want to go to sleep and wake up feeling rested",
        "i wish i could go to sleep",
        "i never wake up feeling refreshed",
        "i can't go to sleep and face another night of hot flushes",
        "my kids are confused and scared about my diagnosis",
        "the surgeon took them all out during surgery",
        "my pills get stuck in my throat, can i crush them",
        "all of a sudden i can't stand the smell of food",
        "am i more likely to fall and break a bone",
        "i am on iron tablets and my stool is black",
        "show me how to change the dressing so i can do it at home",
        "how many people with my cancer go on to die",
        "is keeping my morphine in the fridge ok",
        "i am running down on my pills",
        "i had a heart attack a year ago",
        "what is anaphylaxis",
        "where do i collect my medication",
        "are my meds ready yet",
        "do i take all my pills in the morning",
        "i want to give up red meat",
        "i can't swallow pills, what can i do",
        "what if i can't swallow the big tablets",
        "what if i can't swallow",
        "what to eat when you can't swallow",
        "what happens when i can't swallow",
        "feeding tube for people who can't swallow",
        "what if my husband can't swallow",
        "how do i take my medicine when i can't swallow",
        "i hang my belt on the door",
        "can i put a cord around my neck for my picc line",
        "i got the news",
        "can i talk to a nurse about it",
        # everyday words a recognizer turns into alarm words: "joke", "is that", "things"
        "tell me a choked",
        "mets breast cancer what is dead",
        "breast cancer in the lungs is dead typical",
        "list of faint to ask at the cancer clinic",
        # questions and slow or long-past sight loss; hope kept
        "can chemo make me go blind", "will i go blind from this", "am i going blind",
        "i am worried about losing my vision", "i am scared of losing my sight",
        "i woke up this morning and i can see much better", "please close the curtain the light hurts my eyes",
        "can i wear eye shadow on my eyes during chemo", "the shadow on my lung, should i keep an eye on it",
        "my eyesight went a bit funny after chemo", "how long until the double vision is gone",
        "i lost my sight to diabetes so please read it to me", "it went dark in the room when the power went out",
        "childbirth was the worst pain i have ever had, will the biopsy hurt more",
        "i am trying not to lose hope", "my doctor told me never to give up hope",
        "i want to know whether she lives or dies from this", "does my seizure medication interact with chemo",
        "is fainting a side effect of this drug", "i give up on this crossword",
        "it ended my headache", "what is the plan for going forward",
        "what is the risk of going on",
        "what is the harm in carrying on",
        "what's the benefit of carrying on",
        "what's the cost of carrying on",
        "what's the danger in going on",
        "what is the chance of going on",
        "what is the evidence of going on",
        "i fainted a few years ago and now i'm worried about chemo",
        "i passed out months ago could it happen again",
        "my mum fainted years ago is that a problem now",
        "is fainting common side effect of chemo",
        "is fainting side effect of letrozole",
        "i am having a seizure medication review next week",
        "she had a seizure medication change last month",
        "my son is having a seizure medication level checked",
        "i give up on this machine it doesn't understand me",
        "i give up on this game",
        "i give up on the diet",
        "i don't catch my breath as quickly as i used to after stairs is that the cancer",
        "she doesn't catch her breath as fast after walking is that normal",
        "i fell asleep after the paracetamol ended my head pain",
        "what happens if i lost my sight",
        "has anyone gone blind from tamoxifen",
        "the blurred vision is gone so can i drive",
        "my blurry vision is gone",
        "everything went dark when the doctor told me",
        "i'm not going to lose hope",
        "i refuse to give up hope",
        "you should never ever lose hope",
        # near the fourth probe set's new patterns
        "can cancer in the spine cause back pain", "what if i take my tablets twice by mistake",
        "my grandson took me to my appointment", "the baby took her first steps yesterday",
        "i did not wake up until ten today", "i keep hitting my head on the kitchen cupboard",
        "can i use the cream on myself", "i just got the news", "she had a seizure last year is that related",
        "what happens if it spreads to my spine and i can't walk", "does it hurt to breathe when it spreads to the lungs",
        "how high is the car park barrier", "my kids ate all the biscuits", "the tap was pouring water everywhere",
        "my children had some questions about my cancer", "i paid the parking twice by mistake",
        "the forms are gibberish to me", "my mind is muddled since chemo", "my husband is muddled about the parking",
        "my son did not recognise me this morning with my new wig", "my hair has gone a grey colour after chemo",
        "i struggle to wake up in the morning since starting letrozole", "i'm not planning to be here tomorrow can i move my infusion",
        "the radiotherapy has been burning my skin", "i've got a massage gun can i use it on myself",
        "how high is the bridge over the road can a van fit under it", "i'm dying to have my hair grow back will anything help it along",
        "is it painful to breathe after a biopsy", "my blood came up normal in the last test",
        "they need fresh blood samples for the trial", "i can't afford my tablets so i'm saving up for them",
        "if breast cancer spreads to my spine will my legs go weak", "could i sit further back my knees are weak",
        "i am stockpiling my medications before the holidays", "i have my pills set aside for the week in a dosette box",
        "i keep my painkillers put away from the grandchildren", "i keep cutting my legs shaving is that dangerous on chemo",
        "i burned my arm on the oven",
        # a kiosk, a phone or a child's cold medicine is no emergency; "can't wake up" of oneself is tiredness
        "the kiosk is not responding", "the screen won't respond no matter how hard i press", "this thing is not responding",
        "the kids took some medicine for their cold can they still visit me",
        "my grandson had some ice cream after my chemo", "i cut my legs shaving with a new razor will it heal on chemo",
        "the medical words are gibberish to me", "his breathing is noisy when he snores should we mention it",
        "my feet are dead tired after walking around the hospital", "my phone is dead can i charge it here",
        "i can't wake up in the mornings since the chemo is that fatigue", "i couldn't wake up on time for my appointment",
        "is it normal to be breathing really fast during exercise", "i was in agony waiting for my scan results",
        "we bought a rope swing for the grandchildren", "the kids keep climbing over the railing at the park",
        "i was sick after chemo and had a black coffee",
        "my mum has dementia and gets muddled is there a support group", "my nails have gone a funny blue colour from the chemo",
        "her lips went a bluish tinge in the cold", "my breathing goes really slow when i meditate", "my breathing was really fast on the exercise bike at rehab",         "my feet are numb from the chemo and my back hurts from the chair", "bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye bye",
    ],
)
def test_everyday_worries_are_not_emergencies(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert m.kind is not Kind.SAFETY, m


@pytest.mark.parametrize(("said", "section"), [
    # "make sure" said as "be sure to do it" is no doubt about the diagnosis (blind set 8)
    ("what should i make sure i ask", "doctor-questions"),
    ("what should we make sure to ask the oncologist", "doctor-questions"),
    ("they want a biopsy to make sure it is breast cancer", "is-it-breast-cancer"),
    ("they did a biopsy to make sure she has breast cancer and not something else", "is-it-breast-cancer"),
    ("do they make sure you have breast cancer in the bone", "is-it-breast-cancer"),
    ("what do i make sure she asks the surgeon", "doctor-questions"),
    ("what should they make sure he is asking", "doctor-questions"),
    ("how will they make sure he has breast cancer", "is-it-breast-cancer"),
    # "asks" is "ask" ("asked" and "asking" were)
    ("what should he asks", "doctor-questions"),
    ("my daughter asks what metastatic means", "what-is-mbc"),
    # "how old" about a person is an age; about the tissue, the earlier sample
    ("how old are you", None), ("how old is she", None),
    ("how old is the tissue they compare it with", "same-as-earlier"), ("how old is your biopsy sample", "same-as-earlier"),
])
def test_everyday_senses_of_topic_words(matcher: Matcher, said: str, section: str | None) -> None:
    m = matcher.match(said)
    if section is None:
        assert m.kind is Kind.OUT_OF_SCOPE, m
    else:
        assert (m.kind, m.section) == (Kind.ANSWER, section), m


# -- commands ---------------------------------------------------------------------------------

COMMANDS = {
    "stop": ["stop", "hold on stop", "wait stop", "okay that's enough", "no no stop", "hang on a second",
             "be quiet please", "can you stop", "give me a second"],
    "repeat": ["could you say that again", "i missed that", "sorry come again", "what did you just say",
               "i didn't catch that", "could you repeat the last part", "pardon", "huh"],
    "more": ["tell me more", "can you explain more", "keep going", "go on", "yes go on", "more detail please",
             "i want to know more", "elaborate", "what else"],
    "slower": ["can you slow it down", "speak more slowly", "you're talking too fast", "a bit slower please",
               "not so fast", "i can't keep up"],
    "faster": ["speed it up", "you're going too slow", "can you talk a little quicker", "pick up the pace"],
    "louder": ["i can't hear you", "can you make it louder", "speak up please", "it's too quiet",
               "turn the volume up", "i can barely hear you"],
    "softer": ["that's too loud", "can you lower your voice", "speak more softly", "turn it down",
               "a bit quieter", "you are shouting"],
    "topics": ["what else can i ask about", "what can i ask you", "list the topics", "what subjects do you know about",
               "what do you cover", "what topics", "menu", "what kind of questions can i ask",
               "read me the list of topics i can hear about"],
    "help": ["what can you do", "i need some help", "how does this work", "um i don't know what to say",
             "can you help me use this", "i'm confused", "what am i supposed to say"],
    "goodbye": ["okay i'm finished thanks", "that's it for now", "i'm done bye", "thanks see you later",
                "i have to go", "no more questions", "good night", "bye"],
    "next": ["next", "next topic", "move on", "skip this", "jump to the next section", "carry on to the next one"],
    "previous": ["go back", "previous topic", "the one before", "take me back to the section before"],
    "beginning": ["start this section over", "read the whole thing again from the top"],
    "where": ["where am i up to", "where are we in all of this"],
    "brief": ["keep it short please", "i already know how this works"],
    "full": ["give me the detailed instructions again"],
    "normal": ["set the volume back to normal", "bring everything back to normal"],
}


@pytest.mark.parametrize(("command", "said"), [(c, s) for c, says in COMMANDS.items() for s in says])
def test_commands(matcher: Matcher, command: str, said: str) -> None:
    m = matcher.match(said)
    assert (m.kind, m.command) == (Kind.COMMAND, command), m


@pytest.mark.parametrize(
    "said",
    [
        "can you explain what stage four means",
        "tell me more about second opinions",
        "tell me more about where it spreads",
        "what else should i ask my doctor",
        "what can you tell me about bone metastases",
        "i need help understanding my diagnosis",
        "help me understand stage four",
        "can you stop the cancer from spreading",
        "should i stop my treatment",
        "go back to the doctor",
        "second opinion",
    ],
)
def test_questions_are_not_commands(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).kind is not Kind.COMMAND


@pytest.mark.parametrize(
    ("said", "choice"),
    [("yes", "yes"), ("yeah that one", "yes"), ("no", "no"), ("neither of them", "no"), ("no thanks", "no"),
     ("the first one", "first"), ("one", "first"), ("the second one", "second"), ("number two", "second"),
     ("the third", "third")],
)
def test_choice_commands_only_when_allowed(matcher: Matcher, said: str, choice: str) -> None:
    assert matcher.command_of(clean(said), CHOICE_COMMANDS) == (choice, 1.0)
    found = matcher.command_of(clean(said), GLOBAL_COMMANDS)
    assert found is None or found[0] in GLOBAL_COMMANDS


@pytest.mark.parametrize(
    ("said", "command"),
    [("enough of that", "stop"), ("speed up the talking", "faster"), ("what are the topics you know", "topics"),
     ("what was that you said", "repeat"), ("i'm going to go now", "goodbye"), ("i need it slowly", "slower")],
)
def test_head_words_with_filler_are_commands(matcher: Matcher, said: str, command: str) -> None:
    m = matcher.match(said)
    assert (m.kind, m.command) == (Kind.COMMAND, command)
    assert m.score < 1.0, "read from head words, not a phrase"


@pytest.mark.parametrize("said", ["is it back", "what else can i read", "should i skip it", "speak more loudly slowly"])
def test_head_words_need_one_command_and_only_filler(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert not (m.kind is Kind.COMMAND and m.score < 1.0), m.command


def test_command_data_is_consistent(matcher: Matcher) -> None:
    specs = load_commands().specs
    assert set(specs) == set(GLOBAL_COMMANDS) | set(CHOICE_COMMANDS) | set(SOCIAL_COMMANDS)
    bindings = matcher.key_bindings()
    keys = [k for name in specs for k in bindings[name]]
    assert len(keys) == len(set(keys)), "a key is bound to two commands"
    for spec in specs.values():
        assert all(isinstance(p, str) and p for p in spec.phrases), spec.name


def test_misheard_short_command_is_repaired(matcher: Matcher) -> None:
    m = matcher.match("repet that")
    assert (m.kind, m.command) == (Kind.COMMAND, "repeat")
    assert 0.0 < m.score < 1.0



# -- sections ---------------------------------------------------------------------------------

LIBRARY = load_library()


@pytest.mark.parametrize(
    ("section", "said"), [(s.id, e) for s in LIBRARY.sections for e in (*s.examples, s.title)]
)
def test_every_section_is_reached_by_its_own_examples(matcher: Matcher, section: str, said: str) -> None:
    m = matcher.match(said)
    assert (m.kind, m.section) == (Kind.ANSWER, section), m.reason


@pytest.mark.parametrize(
    ("said", "section"),
    [
        ("what does it mean that my breast cancer metastasized", "what-is-mbc"),
        ("i had both breasts taken off so how can i still have breast cancer", "what-is-mbc"),
        ("how do they decide whether this is spread or a brand new cancer", "diagnosis"),
        ("how do the doctors know it's stage 4", "diagnosis"),
        ("common spots for breast cancer mets", "common-sites"),
        ("i'm mad and scared all the time", "emotions"),
        ("i have an appointment friday what should i bring up", "doctor-questions"),
        ("would my insurance pay for a second opinion", "second-opinion"),
        ("is the new spot my breast cancer", "is-it-breast-cancer"),
        ("what if it's a brand new kind of cancer", "second-primary"),
        ("can you have two separate cancers", "second-primary"),
        ("my surgery was fifteen years ago and they don't have the tissue anymore how will they know", "same-as-earlier"),
        ("is this the same breast cancer as before", "same-as-earlier"),
        ("i have a question about stage four", "what-is-mbc"),
        ("where can my daughter find help understanding this", "resources"),
        ("a second primery what is that", "second-primary"),
        # how they find out, whatever it is about, is diagnosis ...
        ("how do they find out if it is the breast cancer", "diagnosis"),
        ("what do they do to figure out whether this thing on my liver came from my breast cancer", "diagnosis"),
        ("how do they work out where a new tumour came from", "diagnosis"),
        ("how do they tell if the new lump is the old cancer spreading or something brand new", "diagnosis"),
        ("how can a doctor know if the cancer in my hip is from my breast", "diagnosis"),
        # ... unless what it is about is the old tissue or the type of a new cancer
        ("how can they tell what kind of cancer it is without my old samples", "same-as-earlier"),
        ("how do they check if it matches my first cancer", "same-as-earlier"),
        ("how will they know what type of new cancer it is", "second-primary"),
        ("could the new tumor be a separate cancer and not the breast cancer at all", "second-primary"),
        # indirect second opinions
        ("i am not sure about what my doctor told me", "second-opinion"),
        ("i would like somebody else to look at my case", "second-opinion"),
        ("i don't feel right about what the oncologist said", "second-opinion"),
        ("i'd like another expert to weigh in", "second-opinion"),
        ("can someone else double check my biopsy results", "second-opinion"),
        ("is it ok to question my oncologist's diagnosis", "second-opinion"),
        ("i feel like something was missed", "second-opinion"),
        ("is there a test to show whether it spread", "diagnosis"),
        ("my mom is scared out of her mind", "emotions"),
        ("i'm so anxious i can't eat", "emotions"),
        ("they took both my breasts so why do the doctors still say i have breast cancer", "what-is-mbc"),
    ],
)
def test_wordings_from_the_brief(matcher: Matcher, said: str, section: str) -> None:
    m = matcher.match(said)
    assert (m.kind, m.section) == (Kind.ANSWER, section), (m.reason, m.scores[:3], m.features)


OUT_OF_SCOPE = [
    # on-topic questions the pack does not answer
    "how long do people live with stage four breast cancer",
    "what are my chances of survival",
    "is metastatic breast cancer curable",
    "what dose of pain medicine can i take",
    "will chemo make my hair fall out",
    "should i stop my treatment",
    "are there clinical trials near me",
    "what is the best treatment for stage four",
    "will medicare pay for my chemo",
    "should my daughter get tested for the brca gene",
    "can stress cause cancer",
    "what is stage two breast cancer",
    "what is leukemia",
    "does a biopsy hurt",
    "what does my blood test mean",
    "am i going to die from this",
    "should i have surgery",
    "how quickly does breast cancer spread to the liver",
    "what is the chance it spreads to my brain",
    "is a second primary worse than metastasis",
    "what's the treatment for a second primary",
    "can they remove the tumor in my liver",
    "when will i get my biopsy results",
    "does a biopsy spread cancer",
    "what does a pet scan feel like",
    "how accurate is a biopsy",
    "will my insurance cover a pet scan",
    "what is a pet scan",
    "should i have my ovaries removed",
    # about the visit, not the topic
    "what time is my appointment",
    "who is my oncologist",
    "can i see my scans",
    "when is my next scan",
    "can you book me an appointment",
    # off-topic
    "how old is the earth",
    "what's the weather going to be like tomorrow",
    "what's a good movie",
    "how do you bake bread",
    "read me the news",
    "can you play the radio",
    "where's the nearest bathroom",
    "what's the capital of france",
    "tell me a joke",
    "breast cancer",
]


@pytest.mark.parametrize(("said", "command"), [
    ("good morning", "hello"), ("um hello", "hello"), ("hey guide", "hello"), ("is anyone there", "hello"),
    ("thank you", "thanks"), ("okay thank you so much", "thanks"), ("that was really helpful", "thanks"),
    ("i'm still here", "here"), ("yes i am here", "here"), ("not yet", "here"),
])
def test_social_words_are_owed_a_reply_not_a_fallback(matcher: Matcher, said: str, command: str) -> None:
    m = matcher.match(said)
    assert (m.kind, m.command) == (Kind.COMMAND, command), (m.kind, m.section, m.reason)


@pytest.mark.parametrize("said", ["is it working", "is it back", "here it is in my liver", "thanks to the scan they found it"])
def test_social_words_do_not_take_questions(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert not (m.kind is Kind.COMMAND and m.command in SOCIAL_COMMANDS), m.command


@pytest.mark.parametrize(("said", "section"), [
    ("thank you what does metastatic mean", "what-is-mbc"), ("hello where does breast cancer spread", "common-sites"),
])
def test_social_words_before_a_question_leave_the_question(matcher: Matcher, said: str, section: str) -> None:
    assert matcher.match(said).section == section


@pytest.mark.parametrize(("said", "command", "steps"), [
    ("say that again slower", "repeat", ("slower",)),
    ("can you say it again more slowly please", "repeat", ("slower",)),
    ("slower and repeat that", "repeat", ("slower",)),
    ("repeat it louder", "repeat", ("louder",)),
    ("louder and slower please", "slower", ("louder",)),
    ("tell me more slowly", "more", ("slower",)),
    ("go on but louder", "more", ("louder",)),
])
def test_a_command_said_with_voice_steps_carries_them(matcher: Matcher, said: str, command: str, steps: tuple[str, ...]) -> None:
    m = matcher.match(said)
    assert (m.kind, m.command, m.steps) == (Kind.COMMAND, command, steps), m.reason


@pytest.mark.parametrize("said, command", [
    ("tell me again", "repeat"), ("can you tell me that again", "repeat"), ("say it over", "repeat"),
    ("start again", "beginning"), ("start over", "beginning"), ("go back to the beginning", "beginning"),
    ("read it again from the start", "beginning"), ("from the top", "beginning"),
])
def test_again_and_from_the_start_are_commands_not_recurrence(matcher: Matcher, said: str, command: str) -> None:
    # "again" is also how people say cancer came back; said alone with "tell me" it asks to hear it again,
    # and "from the start" asks for the topic from its first part.
    m = matcher.match(said)
    assert (m.kind, m.command) == (Kind.COMMAND, command), (m.kind, m.section, m.reason)


@pytest.mark.parametrize("said", ["is my cancer back again", "stop and repeat", "slower and goodbye", "repeat and more"])
def test_steps_come_only_with_a_command_that_reads(matcher: Matcher, said: str) -> None:
    assert not matcher.match(said).steps


@pytest.mark.parametrize("said", OUT_OF_SCOPE)
def test_out_of_scope_never_gets_a_section(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert m.kind is not Kind.ANSWER, (m.section, m.reason, m.features)
    assert m.kind is not Kind.COMMAND, m.command


def test_not_covered_topic_is_declined_and_says_why(matcher: Matcher) -> None:
    m = matcher.match("will medicare pay for my chemo")
    assert m.kind is Kind.OUT_OF_SCOPE
    assert m.reason.startswith("not covered:")


def test_not_covered_phrase_claimed_by_the_section_is_answered(matcher: Matcher) -> None:
    m = matcher.match("does insurance cover a second opinion")
    assert (m.kind, m.section) == (Kind.ANSWER, "second-opinion")
    assert "claimed" in m.reason


CHEMO_PACK = """\
pack:
  id: chemo-pack
  title: Chemotherapy basics
  attribution: A clinic's own pack
  language: en
  disclaimer: Not medical advice.
  fallback: I don't know that.
  safety: {emergency: Call 911., crisis: Call or text 988.}
sections:
  - id: chemo-basics
    title: What chemotherapy is
    answer: [The clinic's answer about chemotherapy.]
    source: The clinic's answer about chemotherapy.
    examples: [what is chemo, what is chemotherapy, how does chemo work, what happens during chemotherapy,
               tell me about chemo, how is chemotherapy given, what should i know about chemo, explain chemotherapy]
    keywords: [chemo, chemotherapy]
"""


OUTLOOK_PACK = CHEMO_PACK.replace("chemo-pack", "outlook-pack").replace("chemo-basics", "outlook").replace(
    "keywords: [chemo, chemotherapy]", "keywords: [survival rate, survival rates, life expectancy]").replace(
    "chemotherapy", "outlook").replace("chemo", "survival rates")


@pytest.mark.parametrize("added, section, asked, declined", [
    # The built-in pack declines chemo ("not covered"); a clinic that adds a chemo pack wants its
    # questions answered from it. What no pack covers (who pays, how long) is still declined.
    (CHEMO_PACK, "chemo-basics", ("what is chemo", "how does chemotherapy work", "tell me about chemo"),
     ("will medicare pay for my chemo", "how long do i have")),
    # It declines "survival" and "survival rate"; a pack whose keyword is "survival rate" covers
    # both: the shorter phrase inside the keyword no longer vetoes the question.
    (OUTLOOK_PACK, "outlook", ("what is the survival rate", "explain survival rates", "what is the life expectancy"),
     ("what is chemo",)),
])
def test_a_topic_one_pack_does_not_cover_is_answered_by_an_added_pack_that_does(
        tmp_path: Path, added: str, section: str, asked: tuple[str, ...], declined: tuple[str, ...]) -> None:
    pack = tmp_path / "added.yaml"
    pack.write_text(added, encoding="utf-8")
    with_pack, builtin_only = Matcher(load_library([pack])), Matcher(load_library())
    for said in asked:
        m = with_pack.match(said)
        assert (m.kind, m.section) == (Kind.ANSWER, section), (said, m.reason)
        assert builtin_only.match(said).reason.startswith("not covered:"), said
    for said in declined:
        assert with_pack.match(said).kind is Kind.OUT_OF_SCOPE, said
    assert with_pack.match("does insurance cover a second opinion").section == "second-opinion"


def test_treatment_told_as_background_does_not_veto(matcher: Matcher) -> None:
    m = matcher.match("i had a mastectomy so how can it still be breast cancer")
    assert (m.kind, m.section) == (Kind.ANSWER, "what-is-mbc")
    assert "background" in m.reason
    assert matcher.match("should i have a mastectomy").kind is Kind.OUT_OF_SCOPE


def test_one_topic_word_needs_an_anchor_keyword(matcher: Matcher) -> None:
    assert (matcher.match("second opinion").kind, matcher.match("second opinion").section) == (Kind.ANSWER, "second-opinion")
    m = matcher.match("who is my oncologist")
    assert m.kind is Kind.CLARIFY and m.reason == "one topic word"
    assert m.choices[0] == "doctor-questions"


def test_close_call_asks_which_one() -> None:
    strict = Matcher(LIBRARY, MatchSettings(margin=0.3, clear_margin=0.5))
    m = strict.match("feelings and questions for my doctor")
    assert m.kind is Kind.CLARIFY
    assert set(m.choices) == {"doctor-questions", "emotions"}
    assert m.choices[0] == m.section and m.runner_up in m.choices


def test_clarification_reply_is_routed_among_the_choices(matcher: Matcher) -> None:
    choices = ("same-as-earlier", "second-primary")
    m = matcher.route(clean("the one about my old tissue"), among=choices, accept=matcher.settings.choice_accept)
    assert (m.kind, m.section) == (Kind.ANSWER, "same-as-earlier")
    assert {sid for sid, _ in m.scores} == set(choices)
    m = matcher.route(clean("a different kind"), among=choices, accept=matcher.settings.choice_accept)
    assert (m.kind, m.section) == (Kind.ANSWER, "second-primary")


def test_match_explains_itself(matcher: Matcher) -> None:
    m = matcher.match("can breast cancer spread to the bones")
    assert (m.kind, m.section) == (Kind.ANSWER, "common-sites")
    assert "#spread" in m.features and "#named_organ" in m.features
    assert [sid for sid, _ in m.scores][0] == "common-sites"
    assert m.scores == tuple(sorted(m.scores, key=lambda x: (-x[1], x[0])))
    assert m.runner_up == m.scores[1][0] and m.score - m.runner_up_score >= matcher.settings.margin
    unknown = matcher.match("can breast cancer spread to the gizzard")
    assert "?gizzard" in unknown.features


def test_synonym_phrases_belong_to_one_concept() -> None:
    owner: dict[tuple[str, ...], str] = {}
    for canon, variants in LIBRARY.synonyms.items():
        for variant in {canon, *variants}:
            words = tuple(w for w in clean(variant).split() if w not in SKIPPED_IN_PHRASES)
            key = tuple(stem(w) for w in words) if len(words) > 1 else words
            assert owner.setdefault(key, canon) == canon, f"{variant!r} is in both {owner[key]} and {canon}"


def test_everyday_word_lists_load_as_words() -> None:
    everyday = load_neutral()
    assert "cancer" in everyday.stems and "yes" in everyday.stems and "no" in everyday.stems
    assert stem("false") not in everyday.stems, "a bare yes/no in the YAML was read as a boolean"
    assert all(isinstance(p, str) and " " in p for p in everyday.phrases)


# -- accuracy floors on the independent paraphrase set ------------------------------------------


@pytest.mark.parametrize(
    ("name", "answers", "commands"),
    [
        # Reached: 120/120 answers, 50/50 commands, 0/40 false accepts, 30/30 safety.
        ("paraphrases.yaml", 0.97, 0.96),
        # Untuned: 101/110, 28/30, 0/25, 13/15. Reached: 109/110, 30/30, 0/25, 15/15.
        ("paraphrases_2.yaml", 0.96, 0.96),
        # Long stories. Untuned: 53/60, 0/10, 2/5. Reached: 58/60, 0/10, 5/5.
        ("paraphrases_4.yaml", 0.95, 1.0),
        # Untuned: 102/110, 30/30, 0/25, 15/15. Reached: 108/109, 30/30, 0/25, 16/16.
        ("paraphrases_3.yaml", 0.97, 0.96),
        # Held-out proportions. Untuned: 86/90, 30/30, 0/25, 14/15. Reached: 90/90, 30/30, 0/25, 15/15.
        ("paraphrases_5.yaml", 0.97, 0.96),
        # Weighted to the overlapping sections. Untuned: 86/90, 30/30, 1/25, 14/15. Reached: 90/90, 30/30, 0/25, 15/15.
        ("paraphrases_6.yaml", 0.97, 0.96),
        # Written after set 6's tuning. Untuned: 78/90, 30/30, 1/25, 15/15. Reached: 86/90 (4 clarified), 30/30, 0/25, 15/15.
        ("paraphrases_7.yaml", 0.95, 0.96),
        # Written blind by a helper, as speech (fillers, restarts, stories). Untuned: 85/90, 26/30
        # (choice replies judged as replies), 0/25, 15/15. Reached: 85/90, 29/30, 0/25, 15/15.
        ("paraphrases_8.yaml", 0.94, 0.96),
    ],
)
def test_paraphrase_accuracy_floors(matcher: Matcher, name: str, answers: float, commands: float) -> None:
    data = yaml.safe_load((PARAPHRASES.parent / name).read_text(encoding="utf-8"))
    asked = [(sid, q) for sid, qs in data["answer"].items() for q in qs]
    said = [Case(q, Kind.COMMAND, c) for c, qs in (data.get("command") or {}).items() for q in qs]
    right = sum((m.kind, m.section) == (Kind.ANSWER, sid) for sid, q in asked for m in [matcher.match(q)])
    obeyed = sum(is_correct(case, judged(matcher, case)) for case in said)
    accepted = [q for q in data["out_of_scope"] if matcher.match(q).kind is Kind.ANSWER]
    missed = [q for q in data["safety"] if matcher.match(q).kind is not Kind.SAFETY]
    assert right / len(asked) >= answers
    assert not said or obeyed / len(said) >= commands
    assert len(accepted) <= len(data["out_of_scope"]) // 20, accepted
    assert missed == []


@pytest.mark.parametrize("name", sorted(p.name for p in PARAPHRASES.parent.glob("safety_probe*.yaml")))
def test_independently_written_safety_statements_and_everyday_near_misses(matcher: Matcher, name: str) -> None:
    data = yaml.safe_load((PARAPHRASES.parent / name).read_text(encoding="utf-8"))
    routed = {kind: [(q, matcher.match(q).safety) for q in data[kind]] for kind in ("emergency", "crisis", "everyday")}
    assert [(q, got) for kind in ("emergency", "crisis") for q, got in routed[kind] if got != kind] == []
    assert [(q, got) for q, got in routed["everyday"] if got is not None] == []


# -- robustness -------------------------------------------------------------------------------


def test_empty_input_is_out_of_scope(matcher: Matcher) -> None:
    for said in ("", "   ", "um uh", "?!"):
        assert matcher.match(said).kind is Kind.OUT_OF_SCOPE


def test_matching_is_deterministic() -> None:
    sayings = [s for says in COMMANDS.values() for s in says] + EMERGENCIES + ["is it the same cancer as before"]
    first = Matcher(load_library())
    second = Matcher(load_library())
    for said in sayings:
        a, b = first.match(said), second.match(said)
        assert a == b and a.scores == b.scores and a.features == b.features


def _valid(m: Match) -> None:
    assert isinstance(m.kind, Kind)
    assert (m.section is not None) == (m.kind in (Kind.ANSWER, Kind.CLARIFY))
    assert (m.command is not None) == (m.kind is Kind.COMMAND)
    assert (m.safety is not None) == (m.kind is Kind.SAFETY)
    assert 0.0 <= m.score <= 1.0 + 1e-9
    if m.kind is Kind.CLARIFY:
        assert m.choices and m.choices[0] == m.section and len(set(m.choices)) == len(m.choices)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_gives_a_valid_match(text: str) -> None:
    _valid(_MATCHER.match(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["breast", "cancer", "spread", "stop", "biopsy", "same", "new", "the", "xq", "liver",
                                 "second", "opinion", "please", "more", "what", "is", "it", "four", "cure"]),
                max_size=40))
def test_word_salad_gives_a_valid_match(words: list[str]) -> None:
    _valid(_MATCHER.match(" ".join(words)))


def test_very_long_input_is_bounded(matcher: Matcher) -> None:
    m = matcher.match("where does breast cancer spread " * 5000)
    _valid(m)
    assert len(m.features) < 2000


_MATCHER = Matcher(load_library(), MatchSettings())


@pytest.mark.parametrize(("said", "kind"), [("somebody help me", Kind.SAFETY), ("someone please help", Kind.SAFETY),
                                            ("help me", Kind.COMMAND), ("can someone help me find the exit", Kind.OUT_OF_SCOPE)])
def test_a_cry_for_help_on_its_own_is_an_emergency_not_the_help_command(matcher: Matcher, said: str, kind: Kind) -> None:
    assert matcher.match(said).kind is kind
