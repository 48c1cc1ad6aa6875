"""The offline planner as a model provider: no key, no network, deterministic.

It behaves like a tool-using LLM and goes through the same loop: it reads the conversation so
far, decides the next tool call (ground values → preview the audience → recommend a channel →
draft and check the copy → stage a draft), and finally answers in plain English with what it
understood — and, when part of the goal made no sense to it, which part, asking rather than
guessing. It keeps no state of its own between calls.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from crm.agent.brief import read_brief
from crm.agent.channel_advice import channel_reason
from crm.agent.planner import Understanding, Vocabulary, draft_copy, understand
from crm.agent.planner.clarify import ask_about_the_rest, ask_who, propose_alternative
from crm.agent.planner.copy import draft_for
from crm.agent.planner.normalise import normalise
from crm.agent.planner.sequence_plan import audience_part, is_multi_step, plan_steps
from crm.agent.providers.base import (
    AssistantMessage,
    Completed,
    Message,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolResultMessage,
    ToolSpec,
    UserMessage,
)
from crm.copywriting.voice import SUGAR, BrandVoice

LAUNCH_WORDS = re.compile(
    r"\b(launch|send (it|them|this|now|out)|go live|blast|fire (it|off)|approve|push it|execute|start sending)\b",
    re.IGNORECASE,
)
CONFIRMATION = re.compile(
    r"^\s*(?:ok(?:ay)?|yes|yeah|yep|sure|fine|go ahead|proceed|continue|do it|carry on|go for it|that'?s fine"
    r"|sounds good|stage it|(?:go |do it |stage it )?without (?:it|that|them)|skip (?:it|that)|leave (?:it|that) out"
    r"|drop (?:it|that)|ignore (?:it|that))\b",
    re.IGNORECASE,
)
SAVED_SEGMENT = re.compile(
    r"\b(?:my|our|the)?\s*saved\s+segments?\s+(?:called\s+|named\s+)?[\"“']?(?P<name>[^\"”',.;:]+?)[\"”']?"
    r"(?=$|[,.;:]|\s+(?:with|on|for|and|via|to|by|in)\b)"
    r"|\bsegment\s+(?:called|named)\s+[\"“']?(?P<called>[^\"”',.;:]+?)[\"”']?(?=$|[,.;:]|\s+(?:with|on|for|and|via)\b)",
    re.IGNORECASE,
)
"""'Use my saved segment Big spenders', 'the segment called "Diwali VIPs"'."""
CHANNEL_LABEL = {"whatsapp": "WhatsApp", "sms": "SMS", "email": "email", "rcs": "RCS"}


def voice_from(fields_result: dict[str, Any]) -> BrandVoice:
    """The brand's voice as list_fields reports the setting (the SUGAR persona when absent)."""
    brand = fields_result.get("brand")
    if not isinstance(brand, dict):
        return SUGAR
    return BrandVoice(**{k: brand[k] for k in ("brand_name", "sign_off", "emoji", "destination_url") if k in brand})


def vocabulary_from(fields_result: dict[str, Any]) -> Vocabulary:
    values = {f["name"]: tuple(f.get("values", [])) for f in fields_result.get("fields", [])}
    return Vocabulary(
        categories=values.get("category", ()),
        products=values.get("product", ()),
        cities=values.get("city", ()),
        states=values.get("state", ()),
        tags=values.get("tags", ()),
    )


def words(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


class OfflinePlanner:
    name = "offline"
    model = "reach-offline-planner"

    def __init__(self, clock: Any = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))

    async def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]:
        del system  # the planner's rules are its code
        message = self.decide(messages, {t.name for t in tools})
        if message.text:
            for word in words(message.text):
                yield TextDelta(word)
        yield Completed(message)

    # ------------------------------------------------------------------ deciding the next step

    def decide(self, messages: list[Message], tools: set[str]) -> AssistantMessage:
        start = max(i for i, m in enumerate(messages) if isinstance(m, UserMessage))
        goal = messages[start]
        assert isinstance(goal, UserMessage)
        results = {m.name: m.result for m in messages[start + 1 :] if isinstance(m, ToolResultMessage)}
        calls_made = sum(1 for m in messages[start + 1 :] if isinstance(m, ToolResultMessage))

        def call(name: str, arguments: dict[str, Any]) -> AssistantMessage:
            return AssistantMessage("", (ToolCall(f"call_{calls_made + 1}_{name}", name, arguments),))

        if "list_fields" not in results:
            return call("list_fields", {})
        vocabulary = vocabulary_from(results["list_fields"])
        confirmed = self._confirms_earlier_goal(messages[:start], goal.text)
        if confirmed is not None and understand(goal.text, vocabulary, self.clock().date()).filter["conditions"]:
            confirmed = None  # "yes, but only in Pune" is a new goal, not a yes
        if confirmed is not None and LAUNCH_WORDS.search(goal.text):
            return AssistantMessage(self._cannot_launch(messages[:start]))
        text = confirmed or goal.text
        saved = SAVED_SEGMENT.search(text)
        if saved:
            # a saved segment is that segment, never an audience rebuilt from the words of its name
            name = (saved.group("name") or saved.group("called")).strip()
            return AssistantMessage(
                f"You asked for your saved segment “{name}”. I can't open saved segments from "
                "here yet, and I won't rebuild a different audience from the words of its name. Open it under "
                "Segments and start the campaign from there, or describe the audience and I'll stage that."
            )
        steps_text = normalise(text)  # "WA abhi, email 2 din baad" reads as "whatsapp now, email 2 days later"
        audience_text = audience_part(steps_text) if is_multi_step(steps_text) else text
        understanding = understand(audience_text, vocabulary, self.clock().date())
        if self._asks_to_launch(text, understanding):
            return AssistantMessage(self._cannot_launch(messages[:start]))
        if not understanding.filter.get("conditions") and understanding.not_understood:
            return AssistantMessage(ask_who(understanding, vocabulary))
        if not understanding.filter.get("conditions") and not self._targets_everyone(text):
            return AssistantMessage(self._ask_for_audience(understanding))
        if "preview_audience" not in results:
            return call("preview_audience", {"filter": understanding.filter})
        preview = results["preview_audience"]
        if "error" in preview:
            return AssistantMessage(f"I could not build that audience: {preview['error']}")
        if understanding.ungroundable:
            # the audience itself is not in the data: never stand a different one in for it, not even
            # after "go ahead"; offer what was understood, with its size, as a choice to make
            return AssistantMessage(propose_alternative(understanding, preview, vocabulary, confirmed is not None))
        if understanding.not_understood and confirmed is None:
            return AssistantMessage(ask_about_the_rest(understanding, preview, vocabulary))
        if preview["count"] == 0:
            return AssistantMessage(self._empty_audience(understanding, preview))
        if "recommend_channel" not in results:
            return call("recommend_channel", {"filter": understanding.filter})
        advice = results["recommend_channel"]
        if is_multi_step(steps_text) and "stage_sequence" in tools:
            if "stage_sequence" not in results:
                return call("stage_sequence", self._sequence(understanding, text))
            summary = self._sequence_summary(understanding, preview, results["stage_sequence"])
            return AssistantMessage(self._with_left_out(summary, understanding, confirmed is not None))
        channel = understanding.channel or advice["recommended"]
        brief = read_brief(text, self.clock().date())
        copy = draft_for(understanding, channel, brief, voice_from(results["list_fields"]))
        draft: dict[str, Any] = {"channel": channel, "body": copy.body, "filter": understanding.filter}
        if copy.subject:
            draft["subject"] = copy.subject
        draft.update({k: v for k, v in (("offer", copy.offer), ("coupon_code", copy.coupon_code)) if v})
        if "draft_message" not in results:
            return call("draft_message", draft)
        reason = channel_reason(advice, channel, asked=understanding.channel is not None)
        if "stage_campaign" not in results and "stage_campaign" in tools:
            staged = {**draft, "name": self._draft_name(understanding, copy.name), "channel_reason": reason}
            return call("stage_campaign", staged)
        summary = self._summary(
            understanding, preview, advice, channel, results, reason, self._draft_name(understanding, copy.name)
        )
        if brief.offers and brief.offers[0].assumed:
            summary += (
                f"\n\nYou didn't say how big the discount is, so I used {brief.offer_text}"
                f" (code {copy.coupon_code}); change the offer on the draft and every message follows."
            )
        return AssistantMessage(self._with_left_out(summary, understanding, confirmed is not None))

    @staticmethod
    def _confirms_earlier_goal(earlier: list[Message], text: str) -> str | None:
        """After a question about part of a goal, "go ahead (without it)" means: that goal, as far
        as it was understood. Returns the goal confirmed, or None."""
        if not CONFIRMATION.search(text):
            return None
        for message in reversed(earlier):
            if isinstance(message, ToolResultMessage) and message.name in ("stage_campaign", "stage_sequence"):
                return None  # the last goal was staged already: nothing is waiting for a yes
            if isinstance(message, UserMessage) and not CONFIRMATION.search(message.text):
                return message.text
        return None

    @staticmethod
    def _sequence(u: Understanding, goal: str) -> dict[str, Any]:
        steps = []
        for planned in plan_steps(normalise(goal)):
            copy = draft_copy(replace(u, offer=planned.offer or u.offer), planned.channel)
            step: dict[str, Any] = {
                "channel": planned.channel,
                "delay": {"value": planned.delay_value, "unit": planned.delay_unit},
                "condition": planned.condition,
                "body": copy.body,
            }
            if copy.subject:
                step["subject"] = copy.subject
            steps.append(step)
        name = OfflinePlanner._draft_name(u, u.campaign_name.replace("win-back", "win-back sequence"))
        return {"name": name, "filter": u.filter, "steps": steps}

    @staticmethod
    def _draft_name(u: Understanding, name: str) -> str:
        """The draft's name, listing what of the goal was left out of its audience."""
        if not u.not_understood:
            return name
        left_out = "; ".join(u.not_understood)
        return f"{name} [left out: {left_out}]"[:200]

    # ------------------------------------------------------------------ what it says

    @staticmethod
    def _sequence_summary(u: Understanding, preview: dict[str, Any], staged: dict[str, Any]) -> str:
        if "error" in staged:
            return f"I could not stage the sequence: {staged['error']}"
        lines = [f"**Audience:** {preview['count']:,} {preview['explanation']}."]
        if u.understood:
            lines.append("**What I understood:** " + "; ".join(u.understood) + ".")
        lines.append("**Sequence:**\n" + "\n".join(f"- {line}" for line in staged["timeline"]))
        lines.append(
            f"Draft sequence #{staged['sequence_id']} is staged; contacts who buy leave it. Review the steps and "
            "press Launch when you're happy — I can't send it myself."
        )
        return "\n\n".join(lines)

    @staticmethod
    def _asks_to_launch(text: str, understanding: Understanding) -> bool:
        return bool(LAUNCH_WORDS.search(text)) and not understanding.filter.get("conditions")

    @staticmethod
    def _targets_everyone(text: str) -> bool:
        return bool(re.search(r"\b(everyone|all (of )?(our |my )?customers|whole (list|base)|all users)\b", text, re.I))

    @staticmethod
    def _cannot_launch(earlier: list[Message]) -> str:
        staged = [
            m.result.get("campaign_id")
            for m in earlier
            if isinstance(m, ToolResultMessage) and m.name == "stage_campaign" and isinstance(m.result, dict)
        ]
        where = f" Draft #{staged[-1]} is waiting for you in Campaigns." if staged and staged[-1] else ""
        return (
            "I can't launch or send anything — that is deliberate. I only stage drafts; a person reviews them "
            f"and presses Approve & Launch.{where}"
        )

    @staticmethod
    def _ask_for_audience(u: Understanding) -> str:
        return (
            "Who should this go to? For example: “lipstick buyers who haven't ordered in 60 days”, “VIPs in "
            "Mumbai”, or “new customers from the last 30 days”. (Say “everyone” to target all customers.)"
        )

    @staticmethod
    def _empty_audience(u: Understanding, preview: dict[str, Any]) -> str:
        return (
            f"No one matches {preview['explanation']}, so I haven't staged anything. Try widening it — a longer "
            "time window, a lower spend threshold, or more cities."
        )

    @staticmethod
    def _reach_note(advice: dict[str, Any], channel: str) -> str:
        option = next(o for o in advice["options"] if o["channel"] == channel)
        return f"{option['reachable']:,} of {advice['audience']:,} can be reached there with consent."

    def _summary(
        self,
        u: Understanding,
        preview: dict[str, Any],
        advice: dict[str, Any],
        channel: str,
        results: dict[str, Any],
        reason: str,
        name: str,
    ) -> str:
        staged = results.get("stage_campaign", {})
        drafted = results.get("draft_message", {})
        rendered = drafted.get("rendered_sample", {})
        lines = [f"**Audience:** {preview['count']:,} {preview['explanation']}."]
        if u.understood:
            lines.append("**What I understood:** " + "; ".join(u.understood) + ".")
        lines.append(f"**Channel:** {CHANNEL_LABEL[channel]} — {reason}")
        if drafted.get("offer"):
            code = f" with code {drafted['coupon_code']}" if drafted.get("coupon_code") else ""
            lines.append(f"**Offer:** {drafted['offer']}{code}.")
        if rendered:
            lines.append(
                f"**Message** (as {rendered.get('customer') or 'a customer'} would see it): {rendered['body']}"
            )
        sms = drafted.get("sms")
        if sms:
            lines.append(
                f"**SMS:** {sms['segments']} segment{'s' if sms['segments'] != 1 else ''} "
                f"({sms['encoding'].upper()}, {sms['characters']} characters), "
                f"about ₹{sms['cost_per_message']} a message."
            )
        if "error" in staged:
            lines.append(f"I could not stage the draft: {staged['error']}")
        elif staged.get("campaign_id"):
            lines.append(
                f"Draft campaign #{staged['campaign_id']} “{name}” is staged. Review it and press "
                "Approve & Launch when you're happy — I can't send it myself."
            )
        return "\n\n".join(lines)

    @staticmethod
    def _with_left_out(summary: str, u: Understanding, confirmed: bool) -> str:
        if not u.not_understood:
            return summary
        parts = "; ".join(f"“{p}”" for p in u.not_understood)
        said = "as you said" if confirmed else "I couldn't interpret it"
        return f"{summary}\n\nI left out {parts} ({said})."
