"""End to end over loopback: a real channel service posts signed callbacks to a real receiver."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from channel_service.lifecycle import Channel, OutcomeModel


def unique_by_message(events: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    by_message: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for event in events:
        assert event["event_id"] == f"{event['communication_id']}:{event['type']}"
        seen = by_message[event["communication_id"]].setdefault(event["type"], event)
        assert seen == event, "a duplicate must repeat the same event"
    return by_message


async def test_every_accepted_message_plays_out_and_reaches_the_receiver(
    channel_service: Any, receiver: Any, wait_until: Any
) -> None:
    svc = await channel_service(sim_duplicate_rate=0.05)
    ids = [f"e2e-{n}" for n in range(800)]
    for start in range(0, len(ids), 200):
        response = await svc.send(receiver.url, ids[start : start + 200])
        assert response.status_code == 202
    await wait_until(svc.settled)

    received = receiver.events
    by_message = unique_by_message(received)
    assert set(by_message) == set(ids)
    assert receiver.bad_signatures == 0

    model: OutcomeModel = svc.service.model
    channels: tuple[Channel, ...] = ("email", "whatsapp", "sms", "rcs")
    for n, cid in enumerate(ids):
        truth = await svc.truth(cid)
        assert {e["type"]: e for e in truth} == by_message[cid]
        assert [e["type"] for e in truth] == [e.type for e in model.plan(cid, channels[n % 4])]
        assert truth[0]["type"] == "sent" and len(truth) >= 2
        if "failed" in by_message[cid]:
            assert set(by_message[cid]) == {"sent", "failed"}
            assert by_message[cid]["failed"]["reason"]
        if "converted" in by_message[cid]:
            assert 299 <= by_message[cid]["converted"]["value"] <= 3999
        assert all(e["occurred_at"].endswith("+00:00") for e in truth)

    stats = await svc.stats()
    unique = sum(len(types) for types in by_message.values())
    duplicates = len(received) - unique
    assert stats["events_emitted"] == unique == stats["event_log_size"]
    assert stats["duplicates_injected"] == duplicates
    assert 0.02 < duplicates / unique < 0.09
    assert stats["callback_events_sent"] == len(received)
    assert stats["callbacks_sent"] == len(receiver.batches)
    assert stats["in_flight"] == 0 and stats["accepted"] == len(ids)
    assert max(len(batch) for batch in receiver.batches) <= 1000
    assert stats["callback_latency_ms"]["p50"] is not None


async def test_events_arrive_out_of_order(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    svc = await channel_service(sim_duplicate_rate=0.2)
    ids = [f"ooo-{n}" for n in range(400)]
    await svc.send(receiver.url, ids)
    await wait_until(svc.settled)
    arrival = [e["communication_id"] for e in receiver.events]
    assert arrival != sorted(arrival, key=ids.index), "messages interleave"
    late: Counter[str] = Counter()
    seen: dict[str, set[str]] = defaultdict(set)
    for event in receiver.events:
        types = seen[event["communication_id"]]
        if event["type"] == "sent" and types:
            late["sent after a later event"] += 1
        types.add(event["type"])
    assert late, "duplicates re-deliver early events after later ones of the same message"


async def test_a_receiver_failing_for_a_while_loses_nothing(
    channel_service: Any, receiver: Any, wait_until: Any
) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0, callback_max_attempts=6)
    receiver.fail(500, times=3)
    ids = [f"flaky-{n}" for n in range(300)]
    await svc.send(receiver.url, ids)
    await wait_until(svc.settled)
    stats = await svc.stats()
    assert receiver.fail_remaining == 0
    assert stats["retries"] >= 3
    assert stats["dead_letters"] == {"batches": 0, "events": 0}
    by_message = unique_by_message(receiver.events)
    assert set(by_message) == set(ids)
    assert len(receiver.events) == stats["events_emitted"]


async def test_dead_letters_are_redriven_after_the_receiver_recovers(
    channel_service: Any, receiver: Any, wait_until: Any
) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0, callback_max_attempts=3)
    receiver.fail(503)
    ids = [f"dead-{n}" for n in range(100)]
    await svc.send(receiver.url, ids)
    await wait_until(svc.settled)
    stats = await svc.stats()
    assert receiver.batches == []
    assert stats["dead_letters"]["batches"] >= 1
    assert stats["dead_letters"]["events"] == stats["events_emitted"]
    assert stats["retries"] == 2 * stats["dead_letters"]["batches"]
    letters = (await svc.client.get("/v1/dead-letters")).json()
    assert all(letter["attempts"] == 3 for letter in letters)

    receiver.recover()
    redrive = (await svc.client.post("/v1/dead-letters/redrive")).json()
    assert redrive == stats["dead_letters"]
    await wait_until(svc.settled)
    assert (await svc.stats())["dead_letters"] == {"batches": 0, "events": 0}
    assert set(unique_by_message(receiver.events)) == set(ids)
    assert len(receiver.events) == stats["events_emitted"]
    # a redriven batch keeps its webhook-id, so receivers can dedupe whole deliveries
    assert {letter["webhook_id"] for letter in letters} <= set(receiver.webhook_ids)


async def test_a_permanent_rejection_is_not_retried(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0, callback_max_attempts=5)
    receiver.fail(400)
    await svc.send(receiver.url, ["perm-1"])
    await wait_until(svc.settled)
    stats = await svc.stats()
    assert stats["retries"] == 0 and stats["permanent_failures"] >= 1
    assert stats["dead_letters"]["events"] == stats["events_emitted"]


async def test_a_409_means_the_receiver_already_applied_it(
    channel_service: Any, receiver: Any, wait_until: Any
) -> None:
    """A CRM answers 409 to a webhook-id it already applied (our earlier attempt landed but the
    answer was lost): that batch is delivered, not dead-lettered and not retried."""
    svc = await channel_service(sim_duplicate_rate=0.0, callback_max_attempts=5)
    receiver.fail(409)
    await svc.send(receiver.url, ["dup-delivery-1"])
    await wait_until(svc.settled)
    stats = await svc.stats()
    assert stats["retries"] == 0 and stats["dead_letters"] == {"batches": 0, "events": 0}
    assert stats["callback_events_sent"] == stats["events_emitted"]


async def test_a_resent_message_is_played_once(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0)
    first = await svc.send(receiver.url, ["once-1", "once-2"])
    second = await svc.send(receiver.url, ["once-1"])
    assert first.json()["queued"] == 2
    assert second.json() == {"accepted": 1, "queued": 0, "duplicates": 1}
    await wait_until(svc.settled)
    sent = [e for e in receiver.events if e["type"] == "sent"]
    assert sorted(e["communication_id"] for e in sent) == ["once-1", "once-2"]
    assert [e["type"] for e in await svc.truth("once-1")].count("sent") == 1
    assert (await svc.stats())["duplicate_messages"] == 1


async def test_shutdown_flushes_lingering_batches(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0, callback_linger_ms=60_000)
    await svc.send(receiver.url, [f"bye-{n}" for n in range(20)])

    async def all_emitted() -> bool:
        return (await svc.stats())["timers_pending"] == 0

    await wait_until(all_emitted)
    assert receiver.batches == [], "the long linger holds the batch back"
    emitted = (await svc.stats())["events_emitted"]
    await svc.service.stop()
    assert len(receiver.events) == emitted
