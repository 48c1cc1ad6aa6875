"""The written language rules catch what the issue found, and every template the planner can
produce passes them for recipients missing each field in turn (counts printed)."""

from __future__ import annotations

import itertools
from datetime import date

from crm.agent.brief import read_brief
from crm.agent.planner import INTENTS, Understanding
from crm.agent.planner.copy import draft_copy, draft_for
from crm.copywriting.language import rendering_problems, template_problems
from crm.copywriting.review import contexts_missing_each_field
from crm.templating import render

TODAY = date(2026, 10, 1)


def rules(text: str) -> set[str]:
    return {p.rule for p in rendering_problems(text)}


def test_the_issue_examples_break_the_rules() -> None:
    assert "number_agreement" in rules("Your Lipstick are calling")
    assert "repeated_word" in rules("Still loving your your last SUGAR pick?")
    assert "name_fallback" in rules("there, it's been a while!")
    assert "name_fallback" in rules("Hi! 💄\nthere, something special from SUGAR")
    assert "dangling_punctuation" in rules("Get 10% off on . Shop now")
    assert "raw_value" in rules("Your code is None")
    assert rules("Hi there! Your Lipstick is calling. Brushes & Tools are back.") == set()
    assert {p.rule for p in template_problems('{{ first_name | default: "there" }}, something special')} == {
        "name_fallback"
    }
    assert {p.rule for p in template_problems("Hi {{ first_name }}!")} == {"fallback"}
    assert template_problems('Hi {{ first_name | default: "there" }}! Get {{ offer }}') == []


FILTERS = [
    {"match": "all", "conditions": []},
    {"match": "all", "conditions": [{"field": "tags", "op": "contains", "value": "vip"}]},
    {"match": "all", "conditions": [{"field": "last_order_days_ago", "op": "gt", "value": 90}]},
    {"match": "all", "conditions": [{"field": "category", "op": "eq", "value": "Lipstick"}]},
    {"match": "all", "conditions": [{"field": "order_count", "op": "eq", "value": 0}]},
]
BRIEFS = [
    "",
    "10% off with code GLOW10 till sunday",
    "a Diwali offer",
    "flat ₹200 off, keep it playful",
    "free shipping, urgent",
    "new launch",
    "back in stock",
    "formal tone, 15% off",
]
FOCUS = [None, "Lipstick", "Brushes & Tools", "Matte As Hell Crayon Lipstick"]


def test_every_template_the_planner_can_produce_reads_well_with_each_field_missing() -> None:
    templates = 0
    renderings = 0
    broken: list[str] = []
    for intent, tree, brief_text, focus, channel in itertools.product(
        INTENTS, FILTERS, BRIEFS, FOCUS, ("sms", "whatsapp", "rcs", "email")
    ):
        u = Understanding(tree, intent, channel, (), (), focus, None, "")
        brief = read_brief(brief_text, TODAY)
        for d in (draft_for(u, channel, brief), draft_copy(u, channel, brief=brief)):
            values = {"offer": getattr(d, "offer", None), "coupon_code": getattr(d, "coupon_code", None)}
            values["link"] = "https://reach.example.in/r/Ab3dE5gH7j"
            for source in (d.body, d.subject):
                if not source:
                    continue
                templates += 1
                broken += [f"{p.rule}: {source!r}" for p in template_problems(source)]
                for context in contexts_missing_each_field(values):
                    renderings += 1
                    text = render(source, context)
                    broken += [f"{p.rule}: {p.message} in {text!r}" for p in rendering_problems(text)]
    print(f"\nlanguage: {templates} templates, {renderings} renderings, {len(broken)} broken fallbacks/rules")
    assert broken == [], broken[:5]
