"""logic.number and logic.quantifier: the patterns the 2026-12-03 audit found, on hand-made pairs per language."""
from __future__ import annotations

import pytest

from perturb import registry
from perturb.core import DROPPED
from perturb.example import Example
from perturb.rng import derive_rng


def run(op_name, lang, premise, hypothesis, label="entailment", **params):
    ex = Example(f"xnli/t/{lang}/000001", "xnli", lang, {"premise": premise, "hypothesis": hypothesis}, label)
    outs = set()
    for k in range(8):
        res = registry.get(op_name)(**params).apply(ex, derive_rng(k, op_name, ex.id, 0), fields=("hypothesis",))
        outs.add("N/A" if res is None else "DROPPED" if res is DROPPED
                 else (res.example.fields["hypothesis"], res.example.label))
    return outs


def declined(outs):
    return outs <= {"N/A", "DROPPED"}


# --- logic.number: declined -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,premise,hypothesis", [
    # a hedge in the premise or the hypothesis
    ("en", "The phase takes about 17 months for SCR.", "It takes 17 months to implement."),
    ("fr", "Cette phase dure environ 17 mois.", "Cela prend 17 mois."),
    ("ur", "اور ہم 30 فیصد سے زائد بچوں کی خدمت کرتے ہیں.", "30 فیصد سے زائد کیمپز موجود ہیں."),
    ("tr", "Tek tek 75 $ veya daha az harcamalar listelenir.", "Toplamda 75 $ harcama talep edilir."),
    ("zh", "我们还需要筹集超过20万美元。", "我们需要20万美元。"),
    ("en", "We need at least $180 from you.", "We need $180 from you."),
    # a name, code or label
    ("de", "FBI-Bericht, Flug-Nr. 93 No-show Passagiere.", "Es gab Passagiere, die nicht für Flug 93 erschienen sind."),
    ("en", "Since Title 7 requires the validity of travel claims, we list them.", "Title 7 deals with travel claims."),
    ("ar", "الركاب على متن الرحلة رقم 93 لم يحضروا.", "ركاب لم يكونوا على متن الرحلة رقم 93."),
    ("vi", "Biểu diễn trước 6.500 sinh viên từ K-12.", "Sẽ có sinh viên từ K-12."),
    ("es", "27 La dificultad aumenta con las modificaciones.", "27 La dificultad depende de las modificaciones."),
    ("en", "Civilians who called the desk located at 5 WTC were advised to leave.", "People were told to leave 5 WTC."),
    # years, decades and dates
    ("en", "We deployed to Okinawa, and this was in 1968.", "We deployed our forces in 1968."),
    ("sw", "Kutoka katika mshtuko wa miaka ya 1860.", "Miaka ya 1860 ulikuwa muda wa kutisha."),
    ("bg", "Никога не е бил свързан преди 11 септември.", "Никога не е бил свързан преди 11 септември."),
    ("th", "ในวันที่ 11 กันยายน มีการขาดการประสานงาน", "มีการขาดการประสานงานเมื่อวันที่ 11 กันยายน"),
    ("ru", "Допросы KSM от 1 июля 2003; 5 сентября 2003.", "Допрос KSM состоялся в 2003 году."),
    # not the same role: the number counts different things, or a different word follows it
    ("fr", "J'étais le seul du 922 à avoir préparé une injection.", "J'étais un 922."),
    ("en", "The doc says 3 milligrams a night is too much.", "3 mg is too much at night."),
])
def test_number_declines_what_the_premise_does_not_pin_down(lang, premise, hypothesis):
    assert declined(run("logic.number", lang, premise, hypothesis))


# --- logic.number: still applies ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang,premise,hypothesis,kept", [
    ("en", "A staircase of 90 steps takes you down to the doors.", "There are 90 steps.", "steps"),
    ("en", "In 1998 the council built 3 new schools.", "The council built 3 schools.", "schools"),
    ("de", "Es gibt eine Treppe mit 90 Stufen.", "Es gibt 90 Stufen.", "Stufen"),
    ("zh", "1775年，100桶火药神秘地消失了。", "100桶火药消失了。", "桶火药"),
    ("el", "Το μέσο μυθιστόρημα 200.000 λέξεων για $25.", "Ένα μυθιστόρημα για $25.", "$"),
    ("sw", "Jirani yangu ana watoto 4 wa kike.", "Jirani ana watoto 4.", "watoto"),
])
def test_number_changes_a_pinned_count(lang, premise, hypothesis, kept):
    outs = run("logic.number", lang, premise, hypothesis)
    assert outs and not (outs & {"N/A", "DROPPED"})
    for text, label in outs:
        assert label == "contradiction" and text != hypothesis and kept in text


def test_number_other_labels_still_dropped():
    assert run("logic.number", "en", "There are 90 steps here.", "There are 90 steps.", label="neutral") == {"DROPPED"}


# --- logic.quantifier --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,hypothesis", [
    ("en", "They do it every year for Memorial Day."),        # frequency, not in subject position
    ("en", "Every year they go to the lake."),                 # frequency in subject position
    ("de", "Jedes Jahr fahren sie an den See."),
    ("tr", "Her yıl göle gidiyorlar."),
    ("th", "ทุกวันเขาไปทำงาน"),
    ("es", "Llevaría mucho tiempo hacer todas las proteínas posibles."),  # duration predicate, object
    ("fr", "Les lignes indiquent le bien-être de tous les expéditeurs."),  # object ("combinés" in premise)
    ("hi", "बहुत सारे शब्द हिंदी से आते हैं।"),                # "many", not "all"
    ("ur", "بہت سارے حادثات ہوئے۔"),
    ("tr", "Her ikisinden."),                                  # "both"
    ("vi", "Mọi người đều thích nó."),                         # generic "people"
    ("bg", "Те са били всички възпитаници."),                  # floating quantifier after the verb
    ("zh", "他违反了所有规则。"),                               # object: 有些 cannot stand there
    ("en", "All people are better than the others."),         # comparative / "others"
])
def test_weaken_declines_frequency_object_and_non_quantifier_uses(lang, hypothesis):
    assert declined(run("logic.quantifier", lang, "", hypothesis))


@pytest.mark.parametrize("lang,hypothesis", [
    ("en", "There are several places in town where new people can play."),
    ("en", "Some people are better than others."),
    ("ar", "بعض الناس أفضل بفطرتهم من الآخرين."),
    ("th", "บางคนดีกว่าคนอื่นๆ"),
    ("el", "Ανέβηκε πάνω μερικά σκαλιά στη σοφίτα."),
    ("vi", "Anh ấy đi lên một số cầu thang trên gác mái."),
    ("bg", "Това е едно и също нещо."),
    ("en", "At some point she left."),
])
def test_strengthen_declines_a_some_that_is_not_the_subjects_determiner(lang, hypothesis):
    assert declined(run("logic.quantifier", lang, "", hypothesis, label="contradiction", direction="strengthen"))


@pytest.mark.parametrize("lang,direction,label,hypothesis,expected", [
    ("en", "weaken", "entailment", "All the roads stayed dry.", "Some of the roads stayed dry."),
    ("de", "weaken", "entailment", "Alle Kinder spielen im Garten.", "Einige Kinder spielen im Garten."),
    ("hi", "weaken", "entailment", "सभी छात्र आए।", "कुछ छात्र आए।"),
    ("en", "strengthen", "contradiction", "Some visitors buy tickets online.", "All visitors buy tickets online."),
    ("tr", "strengthen", "contradiction", "Bazı yollar su altında kaldı.", "Bütün yollar su altında kaldı."),
])
def test_subject_determiner_is_still_swapped(lang, direction, label, hypothesis, expected):
    assert run("logic.quantifier", lang, "", hypothesis, label=label, direction=direction) == {(expected, label)}


@pytest.mark.parametrize("lang,hypothesis", [
    ("tr", "Her şeyi girdikten sonra devam edebilirsin."),   # inside an "after" clause: not upward
    ("en", "After every meeting they go home."),
])
def test_weaken_declines_inside_temporal_clauses(lang, hypothesis):
    assert declined(run("logic.quantifier", lang, "", hypothesis))


@pytest.mark.parametrize("lang,premise,hypothesis", [
    ("en", "We will try to contact you in the next 45 days.", "We will contact you in the next 45 days."),
    ("sw", "Tutajaribu kuwasiliana katika siku 45 zijayo.", "Tutajaribu kuwasiliana katika siku 45 zijayo."),
    ("es", "El sonido, de unos 3 km (2 millas) de diámetro.", "El sonido de 2 millas."),
    ("ru", "На рисунке 3 показаны основные результаты.", "На рисунке 3 показаны функции."),
])
def test_number_declines_windows_conversions_and_figures(lang, premise, hypothesis):
    assert declined(run("logic.number", lang, premise, hypothesis))
