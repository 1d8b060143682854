"""The class logic: codes, the teacher key, joins, pushes, results, rate limits. Every message a ClassError
carries is shown to a student or the teacher as it is.

Who may do what: the teacher key (shown once to the teacher, stored only as its SHA-256) pushes a setup, sets the
target, closes or resets. A student holds a seat token (random, kept in its session and its own URL); the board
and the store know it only by a hash of it, and a result is stored under that hash: nobody writes as another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .outcome import clean_result
from .store import Store

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 6  # 31⁶ ≈ 8.9·10⁸ codes; with the join limits below a guess succeeds once in ~10⁵ hours
NICK_MAX = 24
TTL_S = 4 * 3600.0  # a class expires four hours after it started
MAX_STUDENTS = 300
# rate limits: (events, per seconds)
JOINS_PER_CLIENT = (10, 60.0)  # one browser session's join attempts
BAD_CODES_PER_MINUTE = (120, 60.0)  # unknown codes tried, all sessions and replicas together
JOINS_PER_CLASS = (200, 60.0)
RESULTS_PER_SEAT = (20, 60.0)
STATES = ("joined", "playing", "finished")


class ClassError(Exception):
    """A refusal with the message the user sees."""


@dataclass(frozen=True)
class Setup:
    page: str  # a page key of scratchnet/ui/site.py
    query: dict[str, list[str]]  # its settings, spelled as in the URL
    free: tuple[str, ...] = ()  # settings each student chooses (e.g. ("lr",)): a push leaves them alone
    version: int = 0


@dataclass(frozen=True)
class Target:
    """The leaderboard's goal: `metric` at most `limit`; among those who reach it, the smallest network wins."""

    metric: str = "test_loss"
    limit: float = 0.18


@dataclass(frozen=True)
class ClassView:
    code: str
    expires: float
    closed: bool
    setup: Setup | None
    target: Target
    rev: int


@dataclass
class Seat:
    code: str
    token: str  # the student's secret
    nick: str

    @property
    def sid(self) -> str:
        return seat_id(self.token)


def seat_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def normalise_code(text: str) -> str:
    """What a student typed, as a code: upper case, no spaces or dashes, 0→O-free alphabet kept."""
    return re.sub(r"[\s\-]", "", str(text)[:64]).upper()


def clean_nick(text: str) -> str:
    """Printable text only (no control or formatting characters), single spaces, at most NICK_MAX characters."""
    text = "".join(c for c in str(text)[: NICK_MAX * 8] if unicodedata.category(c)[0] not in "CZ" or c == " ")
    return " ".join(text.split())[:NICK_MAX].strip()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Classroom:
    def __init__(self, store: Store, ttl_s: float = TTL_S, clock: Callable[[], float] = time.time) -> None:
        self.store, self.ttl_s, self.clock = store, ttl_s, clock

    # --- the teacher ----------------------------------------------------------------------------------------
    def start(self) -> tuple[str, str]:
        """A new class: (code, teacher key)."""
        key = secrets.token_urlsafe(24)
        now = self.clock()
        meta = {"key": _hash(key), "created": now, "expires": now + self.ttl_s, "closed": False,
                "setup": None, "target": asdict(Target())}
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if self.store.create(code, json.dumps(meta), now + self.ttl_s):
                return code, key
        raise ClassError("Could not find a free class code; try again.")

    def is_teacher(self, code: str, key: str) -> bool:
        meta = self._meta(code)
        return meta is not None and hmac.compare_digest(meta[0]["key"], _hash(str(key)))

    def _teacher(self, code: str, key: str) -> dict[str, Any]:
        if not self.is_teacher(code, key):
            raise ClassError("Only the teacher of this class can do that (the teacher key does not match).")
        meta = self._meta(code)
        assert meta is not None
        return meta[0]

    def push(self, code: str, key: str, page: str, query: Mapping[str, Any], free: tuple[str, ...] = ()) -> Setup:
        meta = self._teacher(code, key)
        version = (meta["setup"] or {}).get("version", 0) + 1
        spelled = {str(k): [str(v) for v in (vs if isinstance(vs, list | tuple) else [vs])][:20]
                   for k, vs in query.items()}
        setup = Setup(page, spelled, tuple(free), version)
        meta["setup"] = asdict(setup)
        self.store.set_meta(code, json.dumps(meta))
        return setup

    def set_target(self, code: str, key: str, target: Target) -> None:
        meta = self._teacher(code, key)
        meta["target"] = asdict(target)
        self.store.set_meta(code, json.dumps(meta))

    def close(self, code: str, key: str) -> None:
        meta = self._teacher(code, key)
        meta["closed"] = True
        self.store.set_meta(code, json.dumps(meta))

    def reset(self, code: str, key: str) -> None:
        """Clear every result (the students stay joined)."""
        self._teacher(code, key)
        self.store.clear(code, "results")

    # --- anyone with the code ---------------------------------------------------------------------------------
    def _meta(self, code: str) -> tuple[dict[str, Any], int] | None:
        if not re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", code or ""):
            return None
        found = self.store.meta(code)
        if found is None:
            return None
        meta = json.loads(found[0])
        return (meta, found[1]) if meta["expires"] >= self.clock() else None

    def view(self, code: str) -> ClassView | None:
        """The class as everyone may see it (never the key hash); None when unknown or expired."""
        found = self._meta(code)
        if found is None:
            return None
        meta, rev = found
        setup = meta["setup"] and Setup(**{**meta["setup"], "free": tuple(meta["setup"]["free"])})
        return ClassView(code, meta["expires"], meta["closed"], setup or None, Target(**meta["target"]), rev)

    def students(self, code: str) -> dict[str, dict[str, Any]]:
        return {k: json.loads(v) for k, v in self.store.items(code, "students").items()}

    def results(self, code: str) -> list[dict[str, Any]]:
        return sorted((json.loads(v) for v in self.store.items(code, "results").values()), key=lambda r: r["t"])

    # --- students -------------------------------------------------------------------------------------------
    def _limit(self, bucket: str, limit: tuple[int, float], message: str) -> None:
        if self.store.hit(bucket, limit[1]) > limit[0]:
            raise ClassError(message)

    def join(self, code_text: str, nick: str, client: str, token: str | None = None) -> Seat:
        """Join with a code (as typed) and an optional nickname. `client` names the browser session (for the rate
        limit); `token` rejoins the same seat (after a reload on another replica)."""
        self._limit(f"join:{client}", JOINS_PER_CLIENT, "Too many join attempts from this page: wait a minute.")
        code = normalise_code(code_text)
        view = self.view(code)
        if view is None:
            self._limit("badcode", BAD_CODES_PER_MINUTE, "Too many wrong codes were tried: wait a minute.")
            raise ClassError(f"There is no class with the code “{code[:CODE_LENGTH + 2]}” (or it has ended). "
                             "Check the code on the board.")
        if view.closed:
            raise ClassError("This class is closed: the teacher has ended it.")
        self._limit(f"joins:{code}", JOINS_PER_CLASS, "Many students are joining at once: try again in a moment.")
        seat = Seat(code, token if token and len(token) <= 64 else secrets.token_urlsafe(18), clean_nick(nick))
        students = self.store.items(code, "students")
        if seat.sid not in students and len(students) >= MAX_STUDENTS:
            raise ClassError(f"This class is full ({MAX_STUDENTS} students).")
        if not seat.nick:
            seat.nick = json.loads(students[seat.sid])["nick"] if seat.sid in students else f"Student {seat.sid[:4]}"
        self._save_student(seat, "joined")
        return seat

    def _save_student(self, seat: Seat, state: str) -> None:
        record = {"nick": seat.nick, "state": state, "t": self.clock()}
        self.store.put(seat.code, "students", seat.sid, json.dumps(record), self.clock() + self.ttl_s)

    def set_state(self, seat: Seat, state: str) -> None:
        """playing / finished, for the board's counts."""
        if state in STATES and self.view(seat.code) is not None:
            self._save_student(seat, state)

    def report(self, seat: Seat, run: str, result: Mapping[str, Any]) -> dict[str, Any]:
        """Store one run's result (a later report of the same run replaces it). Only the numbers and settings
        clean_result keeps get through; the seat's own hash is the key."""
        view = self.view(seat.code)
        if view is None or view.closed:
            raise ClassError("The class has ended: your result was not sent.")
        self._limit(f"results:{seat.sid}", RESULTS_PER_SEAT, "Too many results in a minute: this one was not sent.")
        record = clean_result(result) | {"nick": seat.nick, "sid": seat.sid, "run": str(run)[:40],
                                         "t": self.clock()}
        self.store.put(seat.code, "results", f"{seat.sid}:{record['run']}", json.dumps(record),
                       self.clock() + self.ttl_s)
        self._save_student(seat, "finished")
        return record


@dataclass
class Counts:
    joined: int = 0
    playing: int = 0
    finished: int = 0
    results: int = 0


def counts(students: Mapping[str, Mapping[str, Any]], results: list[dict[str, Any]]) -> Counts:
    states = [s.get("state") for s in students.values()]
    return Counts(len(students), states.count("playing"), states.count("finished"), len(results))
