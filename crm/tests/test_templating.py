"""Message templates made only of text and `{{ variable }}` / `{{ variable | default: "…" }}`
render without Liquid's interpreter (the dispatcher renders one per recipient); whatever the
template and the customer's values, the output is exactly Liquid's."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liquid.exceptions import ResourceLimitError

from crm.templating import OUTPUT_CHARACTER_LIMIT, TEMPLATE_VARIABLES, compiled, render

VARIABLES = sorted(TEMPLATE_VARIABLES)
text = st.text(alphabet=st.characters(blacklist_characters="{}%", blacklist_categories=("Cs",)), max_size=12)
literal = st.text(alphabet=st.characters(blacklist_characters='"{}%\\', blacklist_categories=("Cs",)), max_size=8)
output = st.one_of(
    st.sampled_from(VARIABLES).map(lambda v: f"{{{{ {v} }}}}"),
    st.sampled_from(VARIABLES).map(lambda v: f"{{{{- {v} -}}}}"),
    st.tuples(st.sampled_from(VARIABLES), literal).map(lambda p: f'{{{{ {p[0]} | default: "{p[1]}" }}}}'),
    st.sampled_from(VARIABLES).map(lambda v: f"{{{{ {v} | default }}}}"),
    # Not plain: these go through Liquid itself.
    st.sampled_from(VARIABLES).map(lambda v: f"{{{{ {v} | upcase }}}}"),
    st.sampled_from(VARIABLES).map(lambda v: f"{{% if {v} %}}yes{{% endif %}}"),
)
template = st.lists(st.one_of(text, output), max_size=8).map("".join)
value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
    st.just(""),
    st.just(0),
)
context = st.dictionaries(st.sampled_from(VARIABLES), value)


@settings(max_examples=400, deadline=None)
@given(template, context)
def test_plain_templates_render_exactly_as_liquid(source: str, values: dict[str, Any]) -> None:
    template = compiled(source)
    assert render(source, values) == template.liquid.render(**values)


def test_plain_templates_skip_the_interpreter_and_tags_do_not() -> None:
    assert compiled('Hi {{ first_name | default: "there" }}, {{ city }}!').parts is not None
    assert compiled("{% if city %}{{ city }}{% endif %}").parts is None
    assert compiled("{{ name | upcase }}").parts is None
    assert render('Hi {{ first_name | default: "there" }}', {"first_name": None}) == "Hi there"


def test_a_plain_template_past_the_output_bound_fails_as_liquid_does() -> None:
    huge = {"name": "x" * (OUTPUT_CHARACTER_LIMIT // 2 + 1)}
    source = "{{ name }}{{ name }}"
    assert compiled(source).parts is not None
    for attempt in (lambda: render(source, huge), lambda: compiled(source).liquid.render(**huge)):
        with pytest.raises(ResourceLimitError):
            attempt()
