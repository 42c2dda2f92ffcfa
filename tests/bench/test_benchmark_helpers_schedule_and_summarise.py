"""The pure helpers of the benchmarks: the open-model schedule, the limits a step must hold,
the nginx site adapted for the one-machine stack, and the summary table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench import deadline_day, stack, summary
from bench.deadline_day import Result


def test_the_open_model_schedule_spaces_arrivals_evenly_and_follows_the_mix() -> None:
    arrivals = deadline_day.schedule(200, 10, deadline_day.MIX, seed=1)

    assert len(arrivals) == 2000
    assert arrivals[0][0] == 0 and arrivals[1][0] == 1 / 200
    assert arrivals[-1][0] < 10
    kinds = Counter(kind for _, kind in arrivals)
    reads = kinds["campaign_page"] + kinds["counter"]
    assert 0.65 < reads / 2000 < 0.75
    assert 0.17 < (kinds["pledge_api"] + kinds["pledge_page"]) / 2000 < 0.23
    assert deadline_day.schedule(200, 10, deadline_day.MIX, seed=1) == arrivals


def test_a_step_holds_only_without_errors_and_within_both_p99_limits() -> None:
    fast = [Result("counter", i / 100, 0.010, 200) for i in range(100)]
    fast += [Result("pledge_api", i / 100, 0.020, 201, member=i) for i in range(100)]
    assert deadline_day.holds(deadline_day.summarise(fast, 1))

    slow_pledges = fast + [Result("pledge_api", 0.5, 0.300, 201, member=1000 + i) for i in range(5)]
    assert not deadline_day.holds(deadline_day.summarise(slow_pledges, 1))

    one_5xx = [*fast, Result("counter", 0.5, 0.01, 502)]
    assert not deadline_day.holds(deadline_day.summarise(one_5xx, 1))


def test_5xx_in_flight_at_a_kill_are_told_apart_and_pledges_p99_skips_the_minute_after() -> None:
    results = [Result("pledge_api", i / 10, 0.020, 201) for i in range(1000)]
    results += [
        Result("pledge_page", 9.5, 1.0, 502),  # sent before the kill at 10 s, answered after
        Result("pledge_page", 10.02, 0.01, 502),  # sent while the server was being killed
        Result("pledge_api", 30.0, 2.0, 201),  # slow, in the minute after the kill
        Result("pledge_api", 80.0, 0.01, 503),  # a 5xx long after
        Result("pledge_api", 9.0, 0.5, 502),  # a 5xx answered before the kill
    ]
    figures = deadline_day.summarise(results, 100, [(10.0, 70.0)], [(10.0, 10.05)])

    assert figures["server_errors_5xx"] == 4
    assert figures["server_errors_5xx_in_flight_at_a_kill"] == 2
    assert figures["kinds"]["pledge_api"]["p99_ms_outside_minute_after_kill"] == 20.0


def test_the_stacks_nginx_site_is_the_deploy_site_on_plain_http_with_its_own_paths() -> None:
    template = (Path(stack.ROOT) / "deploy" / "nginx" / "rankandfile.conf").read_text()
    site = stack.nginx_site(
        template,
        port=18080,
        upstream=Path("/tmp/x/app-servers.conf"),
        static_root=Path("/tmp/x/static"),
        log=Path("/tmp/x/access.log"),
        limits=False,
        cache=Path("/tmp/x/cache"),
    )

    assert "listen 127.0.0.1:18080;" in site
    assert "ssl" not in site and "return 301" not in site
    assert "include /tmp/x/app-servers.conf;" in site
    assert "alias /tmp/x/static/;" in site
    assert "rate=100000r/s" in site and "r/m" not in site
    assert "proxy_next_upstream error timeout http_502 http_503;" in site
    assert "proxy_cache_path /tmp/x/cache " in site and "/var/cache" not in site
    limited = stack.nginx_site(
        template,
        port=1,
        upstream=Path("u"),
        static_root=Path("s"),
        log=Path("l"),
        limits=True,
        cache=Path("c"),
    )
    assert "rate=20r/m" in limited


def test_the_summary_gives_each_figure_its_same_run_baseline_ratio_and_goal() -> None:
    results = {
        "fanout": {
            "figures": {
                "fanout_messages_per_second": {
                    "value": 800.0, "unit": "msg/s", "goal": ">= 1000", "met": False
                },
                "smtplib_ceiling_messages_per_second": {
                    "value": 2000.0, "unit": "msg/s", "goal": "reference", "met": True
                },
            }
        },
        "votes": {
            "figures": {
                "ratio": {"value": 0.7, "unit": "ratio", "goal": ">= 0.6", "met": True,
                          "baseline": "ceiling"},
                "ceiling": {"value": 100, "unit": "votes/s"},
            }
        },
    }  # fmt: skip

    table = summary.summary_markdown(results)

    assert (
        "| fanout | fanout_messages_per_second | 800.0 msg/s | 2,000.0 "
        "(smtplib_ceiling_messages_per_second) | 0.4 | >= 1000 | **not met** |" in table
    )
    assert (
        "| fanout | smtplib_ceiling_messages_per_second | 2,000.0 msg/s | - | - | reference | - |"
        in table
    )
    assert "| votes | ratio | 0.7 ratio | 100 (ceiling) | 0.007 | >= 0.6 | met |" in table


def test_a_5xx_counts_as_the_killed_servers_only_from_its_address_between_kill_and_restart() -> (
    None
):
    killed = [("127.0.0.1:8001", 1000.0, 1005.5)]
    rows = [
        {"upstream": "127.0.0.1:8001", "at": 1000.0},  # in flight at the kill (same second)
        {"upstream": "127.0.0.1:8001", "at": 1003.0},  # sent on a kept connection to it
        {"upstream": "127.0.0.1:8002", "at": 1003.0},  # the other server: a real error
        {"upstream": "127.0.0.1:8001", "at": 1010.0},  # after the restart: a real error
    ]
    assert deadline_day.from_killed_server(rows, killed) == 2
