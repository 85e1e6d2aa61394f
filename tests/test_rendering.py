"""The renderer's camelize writes exactly what djangorestframework-camel-case's does, key order included."""

import orjson
import pytest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy
from djangorestframework_camel_case.util import camelize as library_camelize
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.rendering import camelize

CASES = {
    "nested object": {"first_name": "Sem", "current_pathway": {"id": 1, "stage": "job_search"}, "count": 3},
    "list of objects": [{"date_of_birth": None, "support_needs": ["housing", "debt"]}, {"check_in_days": [7, 30]}],
    "awkward keys": {"address_line_1": 1, "_private": 2, "trailing_": 3, "a__b": 4, "already_camelCase": 5, "x_1y": 6},
    "scalars": {"values": [1.5, True, False, 0, None, "snake_case_value_stays"]},
    "tuples and lazy text": {"invalid_params": ({"name": "a_b", "reason": gettext_lazy("This field is required.")},)},
    "lazy and non-text keys": {gettext_lazy("lazy_key"): 1, 7: "seven"},
    "str subclasses": {SafeString("safe_key"): SafeString("safe_value"), "n": [SafeString("a_b")]},
    "serializer containers": ReturnDict(
        {"first_name": "A", "results": ReturnList([{"last_name": "B"}], serializer=None)}, serializer=None
    ),
}


def _json(data) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=str)


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_camelize_is_the_library_camelize(data):
    assert _json(camelize(data)) == _json(library_camelize(data))


def test_keys_are_camel_case_and_values_untouched():
    assert camelize({"consent_given_at": "first_name", "x": [{"exit_reason": ""}]}) == {
        "consentGivenAt": "first_name",
        "x": [{"exitReason": ""}],
    }
