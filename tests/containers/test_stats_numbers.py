"""`docker stats`: the pure numbers, on literal cgroup v1 and v2 engine samples."""

import copy

import pytest

from containers import stats

# A document dockerd 20.10 sent on cgroup v1 for a container that had written and read a
# 30 MB file and was busy in a shell loop, on two networks. Two edits, because this
# engine reported neither: `total_inactive_file`/`inactive_file` were 0 (the cache was
# fresh, all active) and are 4 MiB here, and `io_service_bytes_recursive` was empty (the
# disk has no blkio accounting) and holds v1's five ops per device here.
CGROUP_V1 = {
    "read": "2026-12-04T06:00:43.787893859Z",
    "preread": "2026-12-04T06:00:42.784203353Z",
    "pids_stats": {"current": 2},
    "blkio_stats": {
        "io_service_bytes_recursive": [
            {"major": 254, "minor": 0, "op": "Read", "value": 1048576},
            {"major": 254, "minor": 0, "op": "Write", "value": 31457280},
            {"major": 254, "minor": 0, "op": "Sync", "value": 31457280},
            {"major": 254, "minor": 0, "op": "Async", "value": 1048576},
            {"major": 254, "minor": 0, "op": "Total", "value": 32505856},
        ],
        "io_serviced_recursive": [],
        "io_queue_recursive": [],
        "io_service_time_recursive": [],
        "io_wait_time_recursive": [],
        "io_merged_recursive": [],
        "io_time_recursive": [],
        "sectors_recursive": [],
    },
    "num_procs": 0,
    "storage_stats": {},
    "cpu_stats": {
        "cpu_usage": {
            "total_usage": 192160625,
            "percpu_usage": [114448099, 77712526],
            "usage_in_kernelmode": 40000000,
            "usage_in_usermode": 140000000,
        },
        "system_cpu_usage": 1706650000000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {
            "total_usage": 153788482,
            "percpu_usage": [94204095, 59584387],
            "usage_in_kernelmode": 40000000,
            "usage_in_usermode": 110000000,
        },
        "system_cpu_usage": 1704650000000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {
        "usage": 32808960,
        "max_usage": 34344960,
        "stats": {
            "active_anon": 4096,
            "active_file": 27267072,
            "cache": 31461376,
            "dirty": 0,
            "hierarchical_memory_limit": 9223372036854771712,
            "hierarchical_memsw_limit": 9223372036854771712,
            "inactive_anon": 57344,
            "inactive_file": 4194304,
            "mapped_file": 0,
            "pgfault": 4185,
            "pgmajfault": 0,
            "pgpgin": 2011,
            "pgpgout": 1951,
            "rss": 118784,
            "rss_huge": 0,
            "total_active_anon": 4096,
            "total_active_file": 27267072,
            "total_cache": 31461376,
            "total_dirty": 0,
            "total_inactive_anon": 57344,
            "total_inactive_file": 4194304,
            "total_mapped_file": 0,
            "total_pgfault": 4185,
            "total_pgmajfault": 0,
            "total_pgpgin": 2011,
            "total_pgpgout": 1951,
            "total_rss": 118784,
            "total_rss_huge": 0,
            "total_unevictable": 0,
            "total_writeback": 0,
            "unevictable": 0,
            "writeback": 0,
        },
        "limit": 25276071936,
    },
    "name": "/h3-st",
    "id": "131715b64c284d6305c6b00d04e033b827f5dd605590045376b303d9baeaffd9",
    "networks": {
        "eth0": {
            "rx_bytes": 806,
            "rx_packets": 9,
            "rx_errors": 0,
            "rx_dropped": 0,
            "tx_bytes": 0,
            "tx_packets": 0,
            "tx_errors": 0,
            "tx_dropped": 0,
        },
        "eth1": {
            "rx_bytes": 1096,
            "rx_packets": 12,
            "rx_errors": 0,
            "rx_dropped": 0,
            "tx_bytes": 0,
            "tx_packets": 0,
            "tx_errors": 0,
            "tx_dropped": 0,
        },
    },
}

# The shape a cgroup v2 engine sends (API 1.41+): no `percpu_usage`, no `max_usage`, no
# `total_*` memory keys (the page cache is `inactive_file`), lower-case block I/O ops.
CGROUP_V2 = {
    "read": "2024-05-01T12:00:02.123456789Z",
    "preread": "2024-05-01T12:00:01.120000000Z",
    "pids_stats": {"current": 5, "limit": 18446744073709551615},
    "blkio_stats": {
        "io_service_bytes_recursive": [
            {"major": 8, "minor": 0, "op": "read", "value": 2101248},
            {"major": 8, "minor": 0, "op": "write", "value": 1048576},
            {"major": 259, "minor": 0, "op": "read", "value": 4096},
            {"major": 259, "minor": 0, "op": "write", "value": 0},
        ],
        "io_serviced_recursive": None,
        "io_queue_recursive": None,
        "io_service_time_recursive": None,
        "io_wait_time_recursive": None,
        "io_merged_recursive": None,
        "io_time_recursive": None,
        "sectors_recursive": None,
    },
    "num_procs": 0,
    "storage_stats": {},
    "cpu_stats": {
        "cpu_usage": {
            "total_usage": 5263452000,
            "usage_in_kernelmode": 1218000000,
            "usage_in_usermode": 4045452000,
        },
        "system_cpu_usage": 4820740000000,
        "online_cpus": 4,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {
            "total_usage": 4763452000,
            "usage_in_kernelmode": 1118000000,
            "usage_in_usermode": 3645452000,
        },
        "system_cpu_usage": 4816740000000,
        "online_cpus": 4,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {
        "usage": 52428800,
        "stats": {
            "active_anon": 0,
            "active_file": 8388608,
            "anon": 31457280,
            "anon_thp": 0,
            "file": 20971520,
            "file_dirty": 0,
            "file_mapped": 4194304,
            "file_writeback": 0,
            "inactive_anon": 31457280,
            "inactive_file": 12582912,
            "kernel_stack": 98304,
            "pgactivate": 12,
            "pgfault": 16500,
            "pgmajfault": 3,
            "shmem": 0,
            "slab": 393216,
            "sock": 0,
            "unevictable": 0,
        },
        "limit": 2147483648,
    },
    "name": "/web",
    "id": "5d2c0c2b1f7a6f1e6a1d3c1c2b7e9f0a8d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a",
    "networks": {
        "eth0": {"rx_bytes": 5338, "rx_packets": 36, "tx_bytes": 648, "tx_packets": 8},
        "eth1": {"rx_bytes": 1000, "rx_packets": 10, "tx_bytes": 352, "tx_packets": 4},
    },
}

# What dockerd 20.10 sends for a container that is not running.
STOPPED = {
    "read": "0001-01-01T00:00:00Z",
    "preread": "0001-01-01T00:00:00Z",
    "pids_stats": {},
    "blkio_stats": {"io_service_bytes_recursive": None, "io_serviced_recursive": None},
    "num_procs": 0,
    "storage_stats": {},
    "cpu_stats": {
        "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {},
    "name": "/h3-st2",
    "id": "0fc05dca29bb4acff1555bf5e13a3264b8cf1ad642172ecb172b36ed6c2a0072",
}


class TestNumbers:
    """The arithmetic of the Docker CLI's stats_helpers.go, on literal samples."""

    def test_a_cgroup_v1_sample(self):
        assert stats.summarize(CGROUP_V1) == {
            "read": "2026-12-04T06:00:43.787893859Z",
            # (192160625 - 153788482) / (1706650000000 - 1704650000000) * 2 CPUs * 100
            "cpu_percent": 3.84,
            # usage minus total_inactive_file: 32808960 - 4194304
            "mem_usage": 28614656,
            "mem_limit": 25276071936,
            "mem_percent": 0.11,
            "net_rx": 806 + 1096,
            "net_tx": 0,
            "blk_read": 1048576,  # "Read" only: Sync, Async and Total are other cuts of the same bytes
            "blk_write": 31457280,
            "pids": 2,
        }

    def test_a_cgroup_v2_sample(self):
        assert stats.summarize(CGROUP_V2) == {
            "read": "2024-05-01T12:00:02.123456789Z",
            # (5263452000 - 4763452000) / (4820740000000 - 4816740000000) * 4 CPUs * 100
            "cpu_percent": 50.0,
            # usage minus inactive_file: 52428800 - 12582912
            "mem_usage": 39845888,
            "mem_limit": 2147483648,
            "mem_percent": 1.86,  # 1.855…
            "net_rx": 5338 + 1000,
            "net_tx": 648 + 352,
            "blk_read": 2101248 + 4096,
            "blk_write": 1048576,
            "pids": 5,
        }

    def test_v1_uses_total_inactive_file_not_inactive_file(self):
        sample = copy.deepcopy(CGROUP_V1["memory_stats"])
        sample["stats"]["inactive_file"] = 999  # the container's own cgroup; total_* counts its children too
        assert stats.memory_usage(sample) == 32808960 - 4194304

    def test_a_page_cache_larger_than_usage_is_not_subtracted(self):
        assert stats.memory_usage({"usage": 100, "stats": {"total_inactive_file": 200}}) == 100
        assert stats.memory_usage({"usage": 100, "stats": {"inactive_file": 100}}) == 100

    def test_cpu_count_falls_back_to_the_per_cpu_list(self):
        # Engines before API 1.27 send no online_cpus: the CLI counts percpu_usage.
        current = {
            "cpu_usage": {"total_usage": 300, "percpu_usage": [100, 100, 50, 50]},
            "system_cpu_usage": 2000,
        }
        previous = {"cpu_usage": {"total_usage": 100}, "system_cpu_usage": 1000}
        assert stats.cpu_percent(previous, current) == pytest.approx(200 / 1000 * 4 * 100)
        assert stats.cpu_percent(previous, {**current, "online_cpus": 2}) == pytest.approx(40.0)

    def test_the_first_sample_compares_with_zero_as_the_cli_does(self):
        # The first document of a stream has an empty precpu_stats; the CLI subtracts the
        # zeros, which gives the container's share since it started (here 0.0225…%).
        sample = {**CGROUP_V1, "precpu_stats": {"cpu_usage": {"total_usage": 0}, "throttling_data": {}}}
        assert stats.summarize(sample)["cpu_percent"] == round(192160625 / 1706650000000 * 2 * 100, 2)

    def test_a_sample_without_memory_or_network_gives_zeros(self):
        assert stats.summarize(STOPPED) == {
            "read": "0001-01-01T00:00:00Z",
            "cpu_percent": 0.0,
            "mem_usage": 0,
            "mem_limit": 0,
            "mem_percent": 0.0,
            "net_rx": 0,
            "net_tx": 0,
            "blk_read": 0,
            "blk_write": 0,
            "pids": 0,
        }

    @pytest.mark.parametrize(
        "missing", ["memory_stats", "networks", "blkio_stats", "pids_stats", "cpu_stats"]
    )
    def test_any_part_may_be_missing_or_null(self, missing):
        for value in (None, {}):
            sample = {**CGROUP_V2, missing: value}
            assert set(stats.summarize(sample)) == set(stats.FIELDS)
        assert set(stats.summarize({k: v for k, v in CGROUP_V2.items() if k != missing})) == set(stats.FIELDS)
