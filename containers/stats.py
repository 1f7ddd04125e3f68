"""The numbers `docker stats` shows, from the engine's raw stats document. Pure functions.

They follow the Docker CLI (cli/command/container/stats_helpers.go): CPU % from the
previous sample and the online CPU count (else the per-CPU list), memory without the
page cache (`total_inactive_file` on cgroup v1, `inactive_file` on v2), every network
interface summed, block I/O summed by direction. A sample with parts missing (a
stopped container, no network) gives zeros, never an error.
"""

FIELDS = (
    "read",
    "cpu_percent",
    "mem_usage",
    "mem_limit",
    "mem_percent",
    "net_rx",
    "net_tx",
    "blk_read",
    "blk_write",
    "pids",
)


def cpu_percent(previous: dict, current: dict) -> float:
    """CPU % of `current` (a `cpu_stats` dict) since `previous` (the one before, `precpu_stats`)."""
    cpu_delta = _usage(current) - _usage(previous)
    system_delta = (current.get("system_cpu_usage") or 0) - (previous.get("system_cpu_usage") or 0)
    online = current.get("online_cpus") or len((current.get("cpu_usage") or {}).get("percpu_usage") or [])
    if system_delta > 0 and cpu_delta > 0:
        return cpu_delta / system_delta * online * 100.0
    return 0.0


def _usage(cpu_stats: dict) -> int:
    return ((cpu_stats or {}).get("cpu_usage") or {}).get("total_usage") or 0


def memory_usage(memory_stats: dict) -> int:
    """Memory used minus the page cache, as `docker stats` shows it."""
    memory_stats = memory_stats or {}
    usage = memory_stats.get("usage") or 0
    stats = memory_stats.get("stats") or {}
    if "total_inactive_file" in stats and stats["total_inactive_file"] < usage:  # cgroup v1
        return usage - stats["total_inactive_file"]
    if (stats.get("inactive_file") or 0) < usage:  # cgroup v2
        return usage - (stats.get("inactive_file") or 0)
    return usage


def memory_percent(usage: int, limit: int) -> float:
    return usage / limit * 100.0 if limit else 0.0


def network_bytes(networks: dict | None) -> tuple[int, int]:
    """Received and sent bytes, summed over every interface."""
    networks = networks or {}
    return (
        sum(n.get("rx_bytes") or 0 for n in networks.values()),
        sum(n.get("tx_bytes") or 0 for n in networks.values()),
    )


def block_bytes(blkio_stats: dict | None) -> tuple[int, int]:
    """Bytes read and written (cgroup v1's `io_service_bytes_recursive`; v2 reports the same key)."""
    read = write = 0
    for entry in (blkio_stats or {}).get("io_service_bytes_recursive") or []:
        op = (entry.get("op") or " ")[0].lower()
        if op == "r":
            read += entry.get("value") or 0
        elif op == "w":
            write += entry.get("value") or 0
    return read, write


def summarize(document: dict) -> dict:
    """One frame of the stats WebSocket from one engine sample."""
    memory = document.get("memory_stats") or {}
    used, limit = memory_usage(memory), memory.get("limit") or 0
    rx, tx = network_bytes(document.get("networks"))
    blk_read, blk_write = block_bytes(document.get("blkio_stats"))
    return {
        "read": document.get("read", ""),
        "cpu_percent": round(
            cpu_percent(document.get("precpu_stats") or {}, document.get("cpu_stats") or {}), 2
        ),
        "mem_usage": used,
        "mem_limit": limit,
        "mem_percent": round(memory_percent(used, limit), 2),
        "net_rx": rx,
        "net_tx": tx,
        "blk_read": blk_read,
        "blk_write": blk_write,
        "pids": (document.get("pids_stats") or {}).get("current") or 0,
    }
