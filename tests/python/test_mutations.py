"""The mutations the rule-removal tests make (conftest.Edit) find their code, once, however it is laid out.

Each test that removes a rule (test_privacy_tests_catch_violations, test_silent_losses_fail_the_build,
test_publication) builds a lake, which takes minutes; these checks take a second and say at once
which mutation no longer matches the code. A re-layout of the code (indents, line breaks) must not
break a mutation: only a change of what the code says may.
"""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT_ROOT, Edit
from test_privacy_tests_catch_violations import REMOVALS
from test_publication import EMAIL_IN_THE_TRAINING_SET
from test_silent_losses_fail_the_build import SILENT_LOSSES

MUTATIONS = (
    [
        pytest.param(edit, id=f"{param.id}-{number}")
        for param in REMOVALS
        for number, edit in enumerate(param.values[0].edits)
    ]
    + [pytest.param(param.values[0], id=param.id) for param in SILENT_LOSSES]
    + [pytest.param(EMAIL_IN_THE_TRAINING_SET, id="email-in-the-training-set")]
)


def laid_out_again(code: str) -> str:
    """The same words with other whitespace: every run of spaces doubled, a comma's space a line break."""
    code = re.sub(r"[ \t]+", lambda match: match.group(0) * 2, code)
    return code.replace(",  ", ",\n    ")


@pytest.mark.parametrize("edit", MUTATIONS)
def test_each_mutation_finds_its_code_once_and_changes_it(edit: Edit) -> None:
    code = (PROJECT_ROOT / edit.path).read_text()
    assert edit.applied_to(code) != code


@pytest.mark.parametrize("edit", MUTATIONS)
def test_each_mutation_survives_a_new_layout_of_the_code(edit: Edit) -> None:
    code = laid_out_again((PROJECT_ROOT / edit.path).read_text())
    assert edit.applied_to(code) != code


def test_a_mutation_whose_code_is_gone_or_repeated_says_so() -> None:
    gone = Edit("models/trusted/customer_trusted.sql", "where has_no_such_rule", "")
    with pytest.raises(AssertionError, match="0 times, not once: update this test"):
        gone.applied_to((PROJECT_ROOT / gone.path).read_text())
    repeated = Edit("models/trusted/customer_trusted.sql", "select", "")
    with pytest.raises(AssertionError, match="times, not once"):
        repeated.applied_to((PROJECT_ROOT / repeated.path).read_text())
