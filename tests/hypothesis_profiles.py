"""The hypothesis profiles, in one place (tests/conftest.py imports this module to register them).

- default (a plain `pytest`): random draws; hypothesis' example database replays earlier finds.
- `ci`: the same draws on every machine and run (derandomized, no database), the reproduction blob printed on a
  failure. Loaded when the CI variable is set; scripts/test.sh (what .ci/run calls) always passes it.
- `explore`: EXPLORE_FACTOR times the examples, random: `pytest --hypothesis-profile=explore` over the property
  tests before you stop. Pin every find as an explicit @example or a plain regression test.
"""

from __future__ import annotations

from hypothesis import settings

EXPLORE_FACTOR = 20
_DEFAULT_EXAMPLES = settings.get_profile("default").max_examples  # 100

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "explore", max_examples=_DEFAULT_EXAMPLES * EXPLORE_FACTOR, derandomize=False, print_blob=True
)


def examples(n: int) -> int:
    """A test's example count under the loaded profile: n by default and in CI, EXPLORE_FACTOR·n when exploring.
    (A test's own max_examples would override the profile's, so tests ask here.)"""
    return max(1, n * settings().max_examples // _DEFAULT_EXAMPLES)
