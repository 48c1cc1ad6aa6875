"""Channel-service benchmark: intake rate, timer firings, callback throughput, memory.

    .venv/bin/python bench/channel.py                 # both workloads, default sizes
    .venv/bin/python bench/channel.py --messages 20000 --lifecycles 200000

1. Pipeline: starts the channel service (uvicorn, its own process) and a fast signed-callback
   receiver (another process), posts `--messages` signed messages in batches of `--batch`, and
   waits until every lifecycle has played and every callback was delivered. Reports the intake
   rate (accepted messages/s, HTTP included), timer firings/s and callback events/s over the
   playback window, and the service's peak RSS.
2. Memory: in a fresh process, `--lifecycles` lifecycles are put in flight through the player and
   its scheduler directly, at a time scale so low that none finishes; reports the RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import socket
import subprocess
import sys
import time
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


# --- the pipeline workload -----------------------------------------------------------------


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


async def pipeline(args: argparse.Namespace) -> dict[str, float]:
    service_port, receiver_port = free_port(), free_port()
    env = os.environ | {
        "WEBHOOK_SECRET": BENCH_SECRET,
        "SIM_TIME_SCALE": str(args.time_scale),
        "SIM_SEED": "1",
        "SIM_DUPLICATE_RATE": "0.05",
        "INTAKE_QUEUE_SIZE": str(max(200_000, args.messages)),
    }
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "receiver", "--port", str(receiver_port), env=env
    )
    service = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "uvicorn", "channel_service.main:app"),
        *("--port", str(service_port), "--log-level", "warning"),
        env=env,
    )
    base = f"http://127.0.0.1:{service_port}"
    callback_url = f"http://127.0.0.1:{receiver_port}/receipts"
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            await wait_ready(client, base + "/health")
            await wait_ready(client, callback_url)
            process = psutil.Process(service.pid)
            peak_rss = process.memory_info().rss
            bodies = [
                json.dumps(
                    {
                        "callback_url": callback_url,
                        "messages": [
                            {
                                "communication_id": f"bench-{n:08d}",
                                "channel": CHANNELS[n % 4],
                                "to": "+919800000001",
                                "body": "Your cart misses you",
                            }
                            for n in range(start, min(start + args.batch, args.messages))
                        ],
                    }
                ).encode()
                for start in range(0, args.messages, args.batch)
            ]
            pending = list(reversed(bodies))

            async def post_batches() -> None:
                while pending:
                    body = pending.pop()
                    while True:
                        response = await client.post(base + "/v1/send", content=body, headers=signed(body))
                        if response.status_code != 429:
                            response.raise_for_status()
                            break
                        await asyncio.sleep(float(response.headers["retry-after"]))

            started = time.perf_counter()
            await asyncio.gather(*(post_batches() for _ in range(args.client_concurrency)))
            intake_seconds = time.perf_counter() - started

            while True:
                peak_rss = max(peak_rss, process.memory_info().rss)
                stats = (await client.get(base + "/v1/stats")).json()
                if (
                    stats["queue_depth"] == 0
                    and stats["timers_pending"] == 0
                    and stats["callbacks_pending"]["events"] == 0
                ):
                    break
                await asyncio.sleep(0.1)
            play_seconds = time.perf_counter() - started
            received = (await client.get(callback_url)).json()
    finally:
        for proc in (service, receiver):
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=20)
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


# --- the memory workload (own process) -----------------------------------------------------


async def hold_lifecycles(count: int) -> dict[str, float]:
    from channel_service.callbacks import CallbackDispatcher
    from channel_service.config import Settings
    from channel_service.event_log import GroundTruthLog
    from channel_service.lifecycle import OutcomeModel
    from channel_service.playback import LifecyclePlayer
    from channel_service.retry_policy import RetryPolicy
    from channel_service.stats import ServiceStats

    settings = Settings(_env_file=None, webhook_secret=BENCH_SECRET)
    loop = asyncio.get_running_loop()
    gc.collect()
    rss_before = psutil.Process().memory_info().rss
    stats = ServiceStats()
    player = LifecyclePlayer(
        model=OutcomeModel(1, settings.channel_rates(), 0.05),
        time_scale=1e-6,  # two simulated days take ~5,000 years: everything stays in flight
        event_log=GroundTruthLog(1, enabled=False),
        stats=stats,
    )
    dispatcher = CallbackDispatcher(
        secrets=[BENCH_SECRET],
        stats=stats,
        batch_size=1000,
        linger=0.2,
        concurrency=1,
        timeout=1,
        retry=RetryPolicy(base_delay=1, max_delay=1, window=1),
    )
    outbox = dispatcher.outbox_for("http://127.0.0.1:9/receipts")
    player.start(loop)
    started = time.perf_counter()
    for n in range(count):
        player.play(f"comm-{n:012d}", CHANNELS[n % 4], outbox, loop.time())
    seconds = time.perf_counter() - started
    gc.collect()
    rss_after = psutil.Process().memory_info().rss
    in_flight = player.in_flight
    player.stop()
    return {
        "lifecycles_in_flight": in_flight,
        "rss_mb": rss_after / MB,
        "rss_delta_mb": (rss_after - rss_before) / MB,
        "bytes_per_lifecycle": (rss_after - rss_before) / max(in_flight, 1),
        "schedule_per_s": count / seconds,
    }


def memory(count: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "memory-child", "--lifecycles", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


# --- command line --------------------------------------------------------------------------


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'metric'.ljust(width)}  {'measured':>14}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>14}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", nargs="?", default="run", choices=["run", "receiver", "memory-child"])
    parser.add_argument("--messages", type=int, default=100_000, help="messages to send")
    parser.add_argument("--batch", type=int, default=1000, help="messages per /v1/send")
    parser.add_argument("--client-concurrency", type=int, default=4, help="parallel senders")
    parser.add_argument("--time-scale", type=float, default=1_000_000.0, help="SIM_TIME_SCALE of the pipeline run")
    parser.add_argument("--lifecycles", type=int, default=1_000_000, help="in-flight lifecycles (memory run)")
    parser.add_argument("--skip-pipeline", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="receiver role only")
    args = parser.parse_args()

    if args.role == "receiver":
        run_receiver(args.port)
        return
    if args.role == "memory-child":
        print(json.dumps(asyncio.run(hold_lifecycles(args.lifecycles))))
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
        held = memory(args.lifecycles)
        rows += [
            ("in-flight lifecycles", f"{held['lifecycles_in_flight']:,.0f}", ""),
            ("  process RSS (MB)", f"{held['rss_mb']:,.0f}", "< 500 for 1,000,000"),
            ("  RSS growth (MB)", f"{held['rss_delta_mb']:,.0f}", ""),
            ("  bytes per lifecycle", f"{held['bytes_per_lifecycle']:,.0f}", ""),
            ("  lifecycles scheduled/s", f"{held['schedule_per_s']:,.0f}", ""),
        ]
    print_table(rows)


if __name__ == "__main__":
    main()
