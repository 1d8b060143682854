"""The Class and Board pages through AppTest: a teacher and students in one process, sharing a SQLite store."""

from __future__ import annotations

import json

import pytest
from app_support import assert_clean, copy_texts, open_page
from class_support import sqlite_url
from live_support import Browser

from scratchnet.classroom.store import STORE_ENV
from scratchnet.ui import class_link


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_ENV, sqlite_url(tmp_path))
    class_link.classroom.cache_clear()
    yield class_link.classroom()
    class_link.classroom.cache_clear()


def button(at, key):
    return next(b for b in at.button if b.key == key)


def submit(at, label):
    return next(b for b in at.button if b.label == label)


def start_class(store):
    teacher = open_page("class")
    button(teacher, "class_start").click().run()
    assert_clean(teacher)
    code, key = teacher.session_state["class_teacher"]
    return teacher, code, key


def join(code, nick="", **query):
    at = open_page("class", join=code, **query)
    if nick:
        at.text_input(key="class_nick_input").input(nick)
    submit(at, "Join").click().run()
    assert_clean(at)
    return at


def everything(at) -> str:
    """All a page sent to the browser, as text (protobufs), to look for what must never be there."""
    return "".join(str(getattr(node, "proto", "")) for node in _walk(at._tree))


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def test_the_teacher_sees_code_link_and_qr_and_students_never_the_key(store):
    teacher, code, key = start_class(store)
    text = " ".join(m.value for m in teacher.markdown)
    assert f"`{code}`" in text and f"/Class?join={code}" in text and key not in text
    assert len(teacher.get("image")) == 1  # the QR code
    assert key in copy_texts(teacher)  # the teacher's own key, to copy (in its closed expander)
    student = join(code, "Ada")
    board = open_page("board", **{"class": code})
    for at in (student, board):
        assert_clean(at)
        assert key not in everything(at) and key not in json.dumps(dict(at.query_params))
    assert f"class **{code}**" in student.success[0].value


def test_an_unknown_code_gets_a_clear_message_and_the_form_stays(store):
    at = join("QQQQQQ", "Ada")
    assert "no class with the code “QQQQQQ”" in at.error[0].value
    assert at.text_input(key="class_nick_input").value == "Ada"  # nothing the student typed is lost
    assert class_link.SEAT not in at.session_state


@pytest.mark.parametrize("free", [["lr"], []])
def test_a_push_switches_every_student_to_the_setup(store, free):
    teacher, code, key = start_class(store)
    students = [join(code, name) for name in ("Ann", "Bob")]
    students[0].session_state["lr"] = 0.3  # Ann chose her own α before the push
    teacher.radio(key="class_push_source").set_value("A lesson").run()
    teacher.selectbox(key="class_push_lesson").set_value("lr_too_small").run()
    teacher.multiselect(key="class_push_free").set_value(free).run()
    button(teacher, "class_push").click().run()
    assert_clean(teacher)
    for at, lr_before in zip(students, (0.3, 0.1), strict=True):
        at.run()  # the poll's next look (a full run polls too)
        assert_clean(at)
        assert at.title[0].value == "Logistic regression"
        assert at.session_state["data"] == "blobs" and at.session_state["iters"] == 1000
        assert at.session_state["lr"] == (lr_before if free else 0.001)
        assert at.query_params["lesson"] == "lr_too_small"


def test_a_switch_that_another_run_overtook_is_made_again(store):
    """The bench's 30-student lesson left 1-5 students on the Class page: the push was marked seen when the
    switch was asked for, and a run that overtook it (the watcher's wake, a click) landed on the old page for
    good. Only arriving on the pushed page marks it seen; until then every run switches again."""
    _, code, key = start_class(store)
    student = join(code, "Cy")
    store.push(code, key, "net", {"iters": "100"})
    setup = store.view(code).setup
    student.session_state[class_link.PENDING] = ("net", setup.version, {})  # asked for, then overtaken:
    student.run()  # this run is the Class page's again
    assert_clean(student)
    assert student.title[0].value == "Neural network"  # switched again, and arrived
    assert student.session_state[class_link.SEEN] == setup.version
    assert class_link.PENDING not in student.session_state and student.session_state["iters"] == 100
    student.switch_page("pages/6_Class.py").run()  # the student may leave it afterwards: no switch back
    assert student.title[0].value != "Neural network"


def test_a_forged_key_in_the_session_cannot_push(store):
    teacher, code, key = start_class(store)
    teacher.session_state["class_teacher"] = (code, "forged" + key)
    button(teacher, "class_push").click().run()
    assert any("Only the teacher" in e.value for e in teacher.error)
    assert store.view(code).setup is None


def test_a_played_run_reaches_the_board(store):
    teacher, code, key = start_class(store)
    student = join(code, "<b>Ann</b>[x](http://e)")  # 23 characters: the field takes 24
    student.switch_page("pages/2_Neural_network.py").run()
    student.session_state["iters"] = 100
    student.run()
    sent = Browser(student).play_to_end()
    assert sent[-1]["state"] != "playing"
    assert_clean(student)
    [result] = store.results(code)
    assert result["iterations"] == 100 and result["page"] == "net" and result["n_params"] > 0
    assert store.students(code)[result["sid"]]["state"] == "finished"
    board = open_page("board", **{"class": code})
    assert [m.value for m in board.metric] == ["1", "0", "1", "1"]  # joined, playing, finished, results
    assert len(board.get("plotly_chart")) == 2
    assert len(board.dataframe) == (1 if result["test_loss"] <= 0.18 else 0)
    caption = next(c.value for c in board.caption if "α" in c.value)
    assert caption.startswith(r"\<b\>Ann\</b\>\[x\]\(http://e\)")  # Markdown shows it as typed
    assert "<b>" not in everything(board).replace(r"\<b\>", "")
    csv = board.get("download_button")[0].proto
    assert csv.label.startswith("⬇ All results")


def test_a_deeper_run_reports_its_shape_and_optimizer(store):
    """The board can tell runs apart by depth and optimizer (issue #26: colour by optimizer or depth)."""
    _, code, _ = start_class(store)
    student = join(code, "Bo")
    student.switch_page("pages/2_Neural_network.py").run()
    student.session_state["iters"] = 100
    student.session_state["layers"] = "4,3"
    student.session_state["opt"] = "momentum"
    student.run()
    Browser(student).play_to_end()
    assert_clean(student)
    [result] = store.results(code)
    assert (result["depth"], result["hidden"], result["opt"], result["iterations"]) == (2, 7, "momentum", 100)
    assert result["n_params"] == 2 * 4 + 4 + 4 * 3 + 3 + 3 + 1  # W1, b1, W2, b2, w3, b3


def test_the_board_of_an_unknown_class_says_so(store):
    board = open_page("board", **{"class": "ZZZZZZ"})
    assert "no class with the code" in board.error[0].value


def test_an_uploaded_csv_never_leaves_the_students_session(store):
    """Only the report's numbers reach the store: no column name, no value, no file name of the upload."""
    from test_upload_page import TITANIC, upload

    teacher, code, key = start_class(store)
    student = join(code, "Cy")
    student.switch_page("pages/4_Your_data.py").run()
    upload(student, "secret_names.csv", TITANIC)
    button(student, "use_upload").click().run()
    student.switch_page("pages/1_Logistic_regression.py").run()
    assert_clean(student)
    Browser(student).step()
    Browser(student).pause()
    [result] = store.results(code)
    assert result["data"] == "uploaded" and result["iterations"] > 0
    stored = json.dumps(result) + json.dumps(store.students(code)) + store.store.meta(code)[0]
    columns = [c.strip() for c in TITANIC.decode().splitlines()[0].split(",") if len(c.strip()) >= 4]
    assert len(columns) >= 4
    for word in ("secret_names", *columns):
        assert word not in stored, word


def test_a_push_of_drawn_data_brings_the_teachers_points_to_every_student(store):
    """The teacher drew a set on the projector and sends "These settings": the points ride with the push (in its
    link, while they fit), and replace what a student had drawn before."""
    from scratchnet.data.drawn import Drawn
    from scratchnet.ui import drawing

    teacher, code, key = start_class(store)
    theirs = Drawn.start(3).add(1.5, -1.0, 2)[0].add(-2.0, 0.5, 1)[0]
    teacher.session_state[drawing.DRAWN_KEY] = theirs
    teacher.selectbox(key="data").set_value("drawn").run()
    ann = join(code, "Ann")
    ann.session_state[drawing.DRAWN_KEY] = Drawn.start(2)  # drawn by Ann before the push
    teacher.radio(key="class_push_source").set_value("These settings (sidebar)").run()
    teacher.selectbox(key="class_push_page").set_value("net").run()
    button(teacher, "class_push").click().run()
    assert_clean(teacher)
    assert store.view(code).setup.query["pts"] == [theirs.encode()]
    ann.run()
    assert_clean(ann)
    assert ann.title[0].value == "Neural network" and ann.session_state["data"] == "drawn"
    assert ann.session_state[drawing.DRAWN_KEY] == theirs
