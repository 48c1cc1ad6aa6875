"""Channel-service benchmark: intake rate, timer firings, callback throughput, memory.

    .venv/bin/python bench/channel.py                 # both workloads, default sizes
    .venv/bin/python bench/channel.py --messages 20000 --lifecycles 200000

Both workloads run the real service (uvicorn, its own process, default settings except those
named) and a fast signed-callback receiver (another process), and post signed messages over HTTP
in batches of `--batch` from `--client-concurrency` senders (a 429 is retried after Retry-After).

1. Pipeline: `--messages` at SIM_TIME_SCALE `--time-scale` (1e6: two days play in 0.2 s), until
   every lifecycle has played and every callback was delivered. Reports the intake rate
   (accepted messages/s, HTTP included, while the lifecycles already play), timer firings/s and
   callback events/s over the whole run, and the service's peak RSS.
2. Memory: `--lifecycles` at SIM_TIME_SCALE `--memory-time-scale` (0.1: `sent` comes 5-50 s
   after acceptance, `delivered` or `failed` minutes later), so the `sent` events happen (logged,
   and delivered as callbacks) while almost every lifecycle is still in flight. After the intake
   queue drains, the service's RSS is sampled for `--settle` seconds. This is the whole service:
   each lifecycle, its heap entries, the intake dedupe window (INTAKE_DEDUPE_WINDOW), the
   ground-truth event log (SIM_EVENT_LOG_SIZE), the outboxes and the HTTP stack.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import psutil
from standardwebhooks.webhooks import Webhook

from channel_service.lifecycle import Channel

BENCH_SECRET = "whsec_" + base64.b64encode(b"reach-channel-bench-secret-0001").decode()
CHANNELS: tuple[Channel, ...] = ("email", "whatsapp", "sms", "rcs")
MB = 1024 * 1024


# --- the receiver process ------------------------------------------------------------------


def receiver_app() -> Any:
    """A minimal ASGI app that verifies signatures and counts events."""
    webhook = Webhook(BENCH_SECRET)
    counts = {"events": 0, "batches": 0, "bad_signatures": 0}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, reply = 204, b""
        if scope["method"] == "GET":
            status, reply = 200, json.dumps(counts).encode()
        else:
            headers = {k.decode(): v.decode() for k, v in scope["headers"]}
            try:
                payload = webhook.verify(body, headers)
                counts["events"] += len(payload["events"])
                counts["batches"] += 1
            except Exception:
                counts["bad_signatures"] += 1
                status = 401
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": reply})

    return app


def run_receiver(port: int) -> None:
    import uvicorn

    uvicorn.run(receiver_app(), host="127.0.0.1", port=port, log_level="warning")


# --- the service under test ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def signed(body: bytes) -> dict[str, str]:
    now = datetime.now(UTC)
    msg_id = "msg_" + os.urandom(8).hex()
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(BENCH_SECRET).sign(msg_id, now, body.decode()),
    }


async def wait_ready(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(200):
        try:
            await client.get(url)
            return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Stack:
    client: httpx.AsyncClient
    base: str
    callback_url: str
    service: psutil.Process

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = (await self.client.get(self.base + "/v1/stats")).json()
        return result

    def rss(self) -> int:
        rss: int = self.service.memory_info().rss
        return rss


@asynccontextmanager
async def running_stack(env_overrides: dict[str, str]) -> AsyncIterator[Stack]:
    """The channel service and a receiver, each in its own process, stopped afterwards."""
    service_port, receiver_port = free_port(), free_port()
    env = os.environ | {"WEBHOOK_SECRET": BENCH_SECRET, "SIM_SEED": "1"} | env_overrides
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "receiver", "--port", str(receiver_port), env=env
    )
    service = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "uvicorn", "channel_service.main:app"),
        *("--port", str(service_port), "--log-level", "warning"),
        env=env,
    )
    base = f"http://127.0.0.1:{service_port}"
    try:
        async with httpx.AsyncClient(timeout=60, headers=admin_headers(BENCH_SECRET)) as client:
            stack = Stack(client, base, f"http://127.0.0.1:{receiver_port}/receipts", psutil.Process(service.pid))
            await wait_ready(client, base + "/health")
            await wait_ready(client, stack.callback_url)
            yield stack
    finally:
        for proc in (service, receiver):
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=30)


def admin_headers(secret: str) -> dict[str, str]:
    from channel_service.signatures import admin_token

    return {"authorization": f"Bearer {admin_token(secret)}"}


async def post_messages(stack: Stack, count: int, batch: int, concurrency: int) -> float:
    """Post `count` signed messages in batches; returns the seconds it took (HTTP included)."""
    bodies = [
        json.dumps(
            {
                "callback_url": stack.callback_url,
                "messages": [
                    {
                        "communication_id": f"bench-{n:08d}",
                        "channel": CHANNELS[n % 4],
                        "to": "+919800000001",
                        "body": "Your cart misses you",
                    }
                    for n in range(start, min(start + batch, count))
                ],
            }
        ).encode()
        for start in range(0, count, batch)
    ]
    pending = list(reversed(bodies))

    async def post_batches() -> None:
        while pending:
            body = pending.pop()
            while True:
                response = await stack.client.post(stack.base + "/v1/send", content=body, headers=signed(body))
                if response.status_code != 429:
                    response.raise_for_status()
                    break
                await asyncio.sleep(float(response.headers["retry-after"]))

    started = time.perf_counter()
    await asyncio.gather(*(post_batches() for _ in range(concurrency)))
    return time.perf_counter() - started


# --- 1. the pipeline workload --------------------------------------------------------------


async def pipeline(args: argparse.Namespace) -> dict[str, float]:
    env = {
        "SIM_TIME_SCALE": str(args.time_scale),
        "SIM_DUPLICATE_RATE": "0.05",
        "INTAKE_QUEUE_SIZE": str(max(200_000, args.messages)),
    }
    async with running_stack(env) as stack:
        peak_rss = stack.rss()
        started = time.perf_counter()
        intake_seconds = await post_messages(stack, args.messages, args.batch, args.client_concurrency)
        while True:
            peak_rss = max(peak_rss, stack.rss())
            stats = await stack.stats()
            if stats["queue_depth"] == 0 and stats["timers_pending"] == 0 and stats["callbacks_pending"]["events"] == 0:
                break
            await asyncio.sleep(0.1)
        play_seconds = time.perf_counter() - started
        received = (await stack.client.get(stack.callback_url)).json()
    if received["events"] != stats["callback_events_sent"] or received["bad_signatures"]:
        raise RuntimeError(f"receiver saw {received}, service reports {stats}")
    return {
        "messages": args.messages,
        "intake_msgs_per_s": args.messages / intake_seconds,
        "play_seconds": play_seconds,
        "timer_firings_per_s": stats["timer_firings"] / play_seconds,
        "callback_events": stats["callback_events_sent"],
        "callback_events_per_s": stats["callback_events_sent"] / play_seconds,
        "callback_batches": stats["callbacks_sent"],
        "duplicates_injected": stats["duplicates_injected"],
        "peak_rss_mb": peak_rss / MB,
    }


# --- 2. the memory workload ----------------------------------------------------------------


async def memory(args: argparse.Namespace) -> dict[str, float]:
    env = {"SIM_TIME_SCALE": str(args.memory_time_scale), "SIM_DUPLICATE_RATE": "0.05"}
    async with running_stack(env) as stack:
        idle_rss = stack.rss()
        intake_seconds = await post_messages(stack, args.lifecycles, args.batch, args.client_concurrency)
        while True:  # the workers drain what intake accepted
            if not (await stack.stats())["queue_depth"]:
                break
            await asyncio.sleep(0.2)
        peak_rss = stack.rss()
        deadline = time.perf_counter() + args.settle
        while time.perf_counter() < deadline:
            peak_rss = max(peak_rss, stack.rss())
            await asyncio.sleep(0.2)
        stats = await stack.stats()
        received = (await stack.client.get(stack.callback_url)).json()
    in_flight = stats["in_flight"]
    return {
        "accepted": stats["accepted"],
        "intake_msgs_per_s": args.lifecycles / intake_seconds,
        "lifecycles_in_flight": in_flight,
        "timers_pending": stats["timers_pending"],
        "events_emitted": stats["events_emitted"],
        "callback_events_received": received["events"],
        "event_log_size": stats["event_log_size"],
        "intake_ids_remembered": stats["intake_ids_remembered"],
        "idle_rss_mb": idle_rss / MB,
        "peak_rss_mb": peak_rss / MB,
        "bytes_per_lifecycle": (peak_rss - idle_rss) / max(in_flight, 1),
    }


# --- command line --------------------------------------------------------------------------


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'metric'.ljust(width)}  {'measured':>14}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>14}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", nargs="?", default="run", choices=["run", "receiver"])
    parser.add_argument("--messages", type=int, default=100_000, help="messages to send (pipeline)")
    parser.add_argument("--batch", type=int, default=1000, help="messages per /v1/send")
    parser.add_argument("--client-concurrency", type=int, default=4, help="parallel senders")
    parser.add_argument("--time-scale", type=float, default=1_000_000.0, help="SIM_TIME_SCALE of the pipeline run")
    parser.add_argument("--lifecycles", type=int, default=1_000_000, help="in-flight lifecycles (memory run)")
    parser.add_argument("--memory-time-scale", type=float, default=0.1, help="SIM_TIME_SCALE of the memory run")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds RSS is sampled after intake (memory)")
    parser.add_argument("--skip-pipeline", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="receiver role only")
    args = parser.parse_args()

    if args.role == "receiver":
        run_receiver(args.port)
        return

    rows: list[tuple[str, str, str]] = []
    if not args.skip_pipeline:
        result = asyncio.run(pipeline(args))
        rows += [
            ("messages accepted", f"{result['messages']:,}", ""),
            ("intake rate (msgs/s)", f"{result['intake_msgs_per_s']:,.0f}", ">= 20,000"),
            ("playback wall time (s)", f"{result['play_seconds']:.1f}", ""),
            ("timer firings/s", f"{result['timer_firings_per_s']:,.0f}", ""),
            ("callback events delivered", f"{result['callback_events']:,}", ""),
            ("  of which injected duplicates", f"{result['duplicates_injected']:,}", ""),
            ("callback batches", f"{result['callback_batches']:,}", ""),
            ("callback events/s", f"{result['callback_events_per_s']:,.0f}", ">= 20,000"),
            ("service peak RSS (MB)", f"{result['peak_rss_mb']:,.0f}", ""),
        ]
    if not args.skip_memory:
        held = asyncio.run(memory(args))
        rows += [
            ("memory run: messages accepted", f"{held['accepted']:,}", ""),
            ("  intake rate (msgs/s)", f"{held['intake_msgs_per_s']:,.0f}", ""),
            ("  lifecycles in flight", f"{held['lifecycles_in_flight']:,}", ""),
            ("  timers pending", f"{held['timers_pending']:,}", ""),
            ("  unique events emitted", f"{held['events_emitted']:,}", ""),
            ("  callback events received (+dups)", f"{held['callback_events_received']:,}", ""),
            ("  event log entries", f"{held['event_log_size']:,}", ""),
            ("  intake ids remembered", f"{held['intake_ids_remembered']:,}", ""),
            ("  service RSS idle (MB)", f"{held['idle_rss_mb']:,.0f}", ""),
            ("  service peak RSS (MB)", f"{held['peak_rss_mb']:,.0f}", "< 500 for 1,000,000"),
            ("  bytes per lifecycle", f"{held['bytes_per_lifecycle']:,.0f}", ""),
        ]
    print_table(rows)


if __name__ == "__main__":
    main()
