"""Turn one design's raw measurements into the benchmark's figures, and draw the chart / print the table."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from metastudio_provider.catalog import get_api

CREATE = "Create2DDigitalHumanVideo"


def calls_needed(design: str, n: int, *, chunks: int = 1, page_size: int = 100) -> dict[str, int]:
    """The calls a design needs for ``n`` videos at the very least (what T* is computed from).

    batched (and tenant2): each chunk lists what its batch made before (one ListVideoScripts: the re-run
    safety of the production DAG, ``batches.submission.existing_tokens``) and reads the two system assets (ListAssets);
    each row creates a script and a job; one status poll lists up to 100 jobs.
    naive: each video creates a script and a job (no look-up on a first try) and needs at least one
    Show2DDigitalHumanVideo; the manifest task reads the two system assets.
    """
    if design != "naive":
        return {"CreateVideoScripts": n, "ListVideoScripts": chunks, CREATE: n,
                "ListDigitalHumanVideo": math.ceil(n / page_size), "ListAssets": 2 * chunks}
    return {"CreateVideoScripts": n, CREATE: n, "Show2DDigitalHumanVideo": n, "ListAssets": 2}


def lower_bound(needed: dict[str, int], region: str, render_s: float,
                real_limits: dict[str, int] | None = None) -> tuple[float, str]:
    """T* = the busiest API's calls ÷ its per-second limit (the table's, or what the gateway really allows),
    plus one render."""
    def limit(api: str) -> int:
        return (real_limits or {}).get(api) or get_api(api).limit(region)

    busiest = max(needed, key=lambda api: needed[api] / limit(api))
    return needed[busiest] / limit(busiest) + render_s, busiest


def targets(real_limits: dict[str, int]) -> dict[str, Any]:
    """What issue 13 asks of the batched design (printed, not asserted)."""
    if real_limits:
        return {"throttled_per_video_max": 0.2, "t_over_true_bound_max": 1.15}
    return {"t_star_over_t_min": 0.98, "throttled": 0, "status_calls_per_video_max": 1.5,
            "worker_slot_seconds_waiting": 0, "run_end_over_last_video_max": 1.05}


def pacing(creates: list[float], interval: float, chunk_edges: list[float]) -> dict[str, Any]:
    """How evenly the creates were admitted: gaps longer than two intervals (and the time they lost beyond
    one interval each), those within 2 s of a submit_chunk task starting or ending, and the shortest gaps."""
    gaps = [(b - a, a) for a, b in zip(creates, creates[1:], strict=False)]
    long = [(g, at) for g, at in gaps if g > 2 * interval]
    at_edges = [(g, at) for g, at in long if any(edge - 2 <= at <= edge + 2 for edge in chunk_edges)]
    ordered = sorted(g for g, _ in gaps)
    return {
        "interval_s": round(interval, 4),
        "gaps_over_two_intervals": len(long),
        "time_lost_in_gaps_s": round(sum(g - interval for g, _ in long), 3),
        "gaps_at_chunk_boundaries": len(at_edges),
        "time_lost_at_chunk_boundaries_s": round(sum(g - interval for g, _ in at_edges), 3),
        "shortest_gap_s": round(ordered[0], 4) if ordered else None,
        "gap_p01_s": round(ordered[len(ordered) // 100], 4) if ordered else None,
        "median_gap_s": round(ordered[len(ordered) // 2], 4) if ordered else None,
    }


def integrate(samples: list[dict], key: str) -> float:
    """Slot-seconds: the sampled count held constant until the next sample."""
    total = 0.0
    for a, b in zip(samples, samples[1:], strict=False):
        total += a[key] * (b["t"] - a["t"])
    return total


def max_in_window(stamps: list[float], window: float = 1.0) -> int:
    stamps = sorted(stamps)
    best = start = 0
    for end, t in enumerate(stamps):
        while t - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def figures(design: str, raw: dict[str, Any], *, region: str, render_s: float,
            real_limits: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything reported for one design, from what run.py collected."""
    n = raw["n_videos"]
    t0 = raw["run_start"]
    jobs = raw["jobs"]
    succeeded = [j for j in jobs if j["state"] == "SUCCEED"]
    last_end = max((j["end"] for j in succeeded), default=None)
    requests = raw["requests"]
    creates_ok = sorted(r[0] for r in requests if r[1] == CREATE and r[2] < 400)
    status_calls = sum(1 for r in requests if r[1] == "Show2DDigitalHumanVideo" or r[3] == "status")
    lookups = sum(1 for r in requests if r[3] == "lookup")
    stats = {api: s for api, s in raw["stats"].items() if s["requests"]}
    needed = calls_needed(design, n, chunks=raw.get("chunks", 1))
    region = raw.get("region") or region
    real_limits = real_limits if design != "tenant2" else {}
    t_star, busiest = lower_bound(needed, region, render_s)
    made = {api: s["requests"] for api, s in stats.items()}
    t_star_made, busiest_made = lower_bound(made, region, render_s) if made else (None, None)
    t = (last_end - t0) if last_end is not None and len(succeeded) == n else None
    tis = raw["task_instances"]
    starts = [ti["start"] for ti in tis if ti["start"]]
    limit = get_api(CREATE).limit(region)
    real_limit = (real_limits or {}).get(CREATE) or limit
    bound_real, busiest_real = lower_bound(needed, region, render_s, real_limits)
    wait_tasks = raw["wait_tasks"]
    # a chunk boundary: a chunk task starting after the creates began, or ending before they ended
    spans = [(ti["start"], ti["end"]) for ti in tis if ti["task_id"] == "submit_chunk" and ti["start"] and ti["end"]]
    chunk_edges = [x for span in spans for x in span if creates_ok and creates_ok[0] < x < creates_ok[-1]]

    def rel(x: float | None) -> float | None:
        return None if x is None else round(x - t0, 3)

    first_create = creates_ok[0] if creates_ok else None
    last_create = creates_ok[-1] if creates_ok else None
    profile = {
        "run_start_s": 0.0,
        "first_task_start_s": rel(min(starts)) if starts else None,
        "first_create_admitted_s": rel(first_create),
        "last_create_admitted_s": rel(last_create),
        "last_video_succeeded_s": rel(last_end),
        "run_end_s": rel(raw["run_end"]),
        "task_phases": _task_phases(tis, t0),
        "airflow_before_first_create_s": rel(first_create),
        "create_span_s": round(last_create - first_create, 3) if creates_ok else None,
        "create_span_at_limit_s": round((len(creates_ok) - 1) / real_limit, 3) if creates_ok else None,
        "effective_create_rate_per_s": round((len(creates_ok) - 1) / (last_create - first_create), 3)
        if len(creates_ok) > 1 else None,
        "render_tail_s": round(last_end - last_create, 3) if creates_ok and last_end else None,
        "after_last_video_to_run_end_s": round(raw["run_end"] - last_end, 3) if last_end and raw["run_end"] else None,
    }
    seconds = Counter(int(x - t0) for x in creates_ok)
    throttled = sum(s["throttled"] for s in stats.values())
    out = {
        "design": design,
        "n_videos": n,
        "videos_succeeded": len(succeeded),
        "run_state": raw["run_state"],
        "t_star_s": round(t_star, 3),
        "t_star_busiest_api": busiest,
        "t_star_calls_needed": needed,
        "t_star_from_calls_made_s": round(t_star_made, 3) if t_star_made else None,
        "t_star_from_calls_made_busiest_api": busiest_made,
        "t_s": round(t, 3) if t is not None else None,
        "t_star_over_t": round(t_star / t, 4) if t else None,
        "t_run_s": round(raw["run_end"] - t0, 3) if raw["run_end"] else None,
        "t_star_over_t_run": round(t_star / (raw["run_end"] - t0), 4) if raw["run_end"] else None,
        "run_end_over_last_video": round((raw["run_end"] - t0) / t, 4) if t and raw["run_end"] else None,
        "region": region,
        "throttled": throttled,
        "throttled_per_video": round(throttled / len(succeeded), 4) if succeeded else None,
        "throttled_per_api": {api: s["throttled"] for api, s in stats.items() if s["throttled"]},
        "real_limits": real_limits or {},
        "t_true_bound_s": round(bound_real, 3),
        "t_true_bound_busiest_api": busiest_real,
        "t_over_true_bound": round(t / bound_real, 4) if t else None,
        "pacing": pacing(creates_ok, 1 / real_limit, chunk_edges),
        "calls_per_api": made,
        "max_admitted_in_any_second": {api: {"max": s["max_admitted_per_second"], "limit": s["limit"]}
                                       for api, s in stats.items()},
        "creates_max_in_any_1s_window_measured": max_in_window(creates_ok),
        "status_calls": status_calls,
        "status_calls_per_video": round(status_calls / len(succeeded), 4) if succeeded else None,
        "duplicate_lookups_before_create": lookups,
        "worker_slot_seconds_waiting": round(integrate(raw["samples"], "running_wait"), 2),
        "worker_slot_seconds_total": round(integrate(raw["samples"], "running_all"), 2),
        "max_running_wait_tasks": max((s["running_wait"] for s in raw["samples"]), default=0),
        "max_running_tasks": max((s["running_all"] for s in raw["samples"]), default=0),
        "wait_tasks": wait_tasks,
        "triggerer_pss_mb_before": raw["triggerer_before"]["pss_mb"],
        "triggerer_peak_pss_mb": round(max((s["trig_pss_mb"] for s in raw["samples"]), default=0.0), 1),
        "triggerer_peak_rss_mb": round(max((s["trig_rss_mb"] for s in raw["samples"]), default=0.0), 1),
        "task_instances": len(tis),
        "machine_cpu_busy_mean": _mean_cpu(raw["samples"]),
        "profile": profile,
        "creates_per_second": [seconds.get(i, 0) for i in range(int(max(seconds, default=-1)) + 1)],
        "learned_rate": [[round(x["t"] - t0, 2), round(x["learned"], 3)] for x in raw["samples"]
                         if x.get("learned") is not None],
        "sample_interval_s": raw["sample_interval_s"],
    }
    if raw.get("cost"):
        out["cost"] = cost_figures(raw["cost"], design, n)
    if raw.get("note"):
        out["note"] = raw["note"]
    return out


def cost_figures(cost: dict[str, Any], design: str, n: int) -> dict[str, Any]:
    """Airflow's own cost of the run(s) measured together (bench/costs.py): CPU-seconds per component and
    per 1,000 videos (all the runs' videos), peak PSS / RSS per component, XCom bytes per video of this
    design's run (``n`` videos) and metadata rows added per video (all the runs')."""
    videos = cost["videos"] or 1
    cpu = {name: round(cost["cpu_after_s"].get(name, 0.0) - before, 2) for name, before in cost["cpu_before_s"].items()}
    airflow = {name: v for name, v in cpu.items() if not name.startswith("emulator")}
    xcom = cost["xcom"].get(design) or {"bytes": 0, "per_task": {}}
    rows = sum(cost["rows_added"].values())
    return {
        "executor": cost.get("executor"),
        "videos_measured": videos,
        "cpu_s": cpu,
        "airflow_cpu_s": round(sum(airflow.values()), 2),
        "cpu_s_per_1000_videos": {name: round(v * 1000 / videos, 2) for name, v in cpu.items()},
        "airflow_cpu_s_per_1000_videos": round(sum(airflow.values()) * 1000 / videos, 2),
        "emulator_cpu_s": round(sum(v for name, v in cpu.items() if name.startswith("emulator")), 2),
        "peak_pss_mb": {name: m["pss_mb"] for name, m in cost["memory_peak"].items()},
        "peak_rss_mb": {name: m["rss_mb"] for name, m in cost["memory_peak"].items()},
        "processes_max": {name: m["processes"] for name, m in cost["memory_peak"].items()},
        "peak_resident_pss_mb": {name: m.get("resident_pss_mb") for name, m in cost["memory_peak"].items()},
        "xcom_bytes": xcom["bytes"],
        "xcom_bytes_per_video": round(xcom["bytes"] / max(n, 1), 1),
        "xcom_bytes_per_task": {task: v["bytes"] for task, v in xcom["per_task"].items()},
        "db_rows_added": rows,
        "db_rows_per_video": round(rows / videos, 2),
        "db_rows_added_per_table": cost["rows_added"],
    }


def machine() -> dict[str, Any]:
    """The machine and its load when the results were written."""
    import os
    import platform

    mem = {}
    try:
        with open("/proc/meminfo") as f:
            mem = {line.split(":")[0]: int(line.split()[1]) for line in f}
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gib": round(mem.get("MemTotal", 0) / 1024 ** 2, 1),
            "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version()}


def tenants_check(results: dict[str, Any], raws: dict[str, dict]) -> dict[str, Any]:
    """SCENARIO=tenants: each tenant's bound and 429s, the creates each emulator (tenant) admitted in any second
    against its own limit, and the limiter's keys and pools of the two apart."""
    out: dict[str, Any] = {}
    for design, res in results.items():
        limit = get_api(CREATE).limit(res["region"])
        out[design] = {"region": res["region"], "create_limit": limit, "t_star_over_t": res["t_star_over_t"],
                       "throttled": res["throttled"],
                       "creates_max_in_any_1s": res["creates_max_in_any_1s_window_measured"],
                       "effective_creates_per_s": res["profile"]["effective_create_rate_per_s"],
                       "own_bound_reached": bool(res["t_star_over_t"] and res["t_star_over_t"] >= 0.98),
                       "never_over_own_limit": res["creates_max_in_any_1s_window_measured"] <= limit,
                       "pools": sorted({ti["pool"] for ti in raws[design]["task_instances"] if ti.get("pool")})}
    keys = next(iter(raws.values())).get("limiter_keys") or []
    out["limiter_keys"] = keys
    # every key names one tenant and that tenant's region only; each tenant's sensor ran in its region's pool
    tenant = {raws[d]["project_id"]: results[d]["region"] for d in results}
    regions = set(tenant.values())

    def one_tenant(key: str) -> bool:
        mine = [project for project in tenant if project in key]
        return len(mine) == 1 and f"{mine[0]}:{tenant[mine[0]]}:" in key and \
            sum(f":{region}:" in key for region in regions) == 1

    keys_apart = bool(keys) and all(one_tenant(k) for k in keys) and \
        all(any(project in k for k in keys) for project in tenant)
    pools_apart = all(all(results[d]["region"] in p or p == "default_pool" for p in out[d]["pools"]) for d in results)
    out["limiter_keys_apart"], out["pools_apart"] = keys_apart, pools_apart
    # mixing would show as a tenant's creates over its own region's limit, or keys / pools shared; a 429 at a
    # tenant's own limit is its pacing (counted per tenant above), not a mix
    out["limits_never_mix"] = keys_apart and pools_apart and all(out[d]["never_over_own_limit"] for d in results)
    return out


def tenants_text(check: dict[str, Any]) -> str:
    lines = ["two tenants at once (each its own connection, region, limiter keys and pools):"]
    for design, v in check.items():
        if isinstance(v, dict):
            lines.append(f"  {design:10} {v['region']:15} T*/T {_fmt(v['t_star_over_t']):>7}  creates/s "
                         f"{_fmt(v['effective_creates_per_s'])} (limit {v['create_limit']}), most in any 1 s "
                         f"{v['creates_max_in_any_1s']}, throttled {v['throttled']}; pools {', '.join(v['pools'])}")
    lines.append(f"  limiter keys ({len(check['limiter_keys'])}), each one tenant's in its own region: "
                 f"{check['limiter_keys_apart']}; pools apart: {check['pools_apart']}")
    lines.append(f"  limits never mixed: {check['limits_never_mix']}")
    return "\n".join(lines)


COST_ROWS = ["scheduler", "dag-processor", "triggerer", "api-server", "workers"]


def cost_table(results: dict[str, Any]) -> str:
    """Airflow's own cost: CPU-s per 1,000 videos and peak PSS per component, XCom bytes and rows per video."""
    designs = [d for d in results if results[d].get("cost")]
    if not designs:
        return ""
    lines = ["Airflow's own cost (CPU-s per 1,000 videos | peak PSS MB | of the processes that ran before):"
             + "".join(f"{d:>30}" for d in designs)]
    for name in [*COST_ROWS, "emulator", "emulator2"]:
        if not any(name in results[d]["cost"]["cpu_s"] for d in designs):
            continue
        cells = (_fmt(results[d]["cost"]["cpu_s_per_1000_videos"].get(name)) + " | "
                 + _fmt(results[d]["cost"]["peak_pss_mb"].get(name)) + " | "
                 + _fmt(results[d]["cost"].get("peak_resident_pss_mb", {}).get(name)) for d in designs)
        lines.append(f"  {name:56}" + "".join(f"{cell:>30}" for cell in cells))
    for label, key in (("Airflow CPU-s per 1,000 videos (all components)", "airflow_cpu_s_per_1000_videos"),
                       ("Airflow CPU-s (all components, the run)", "airflow_cpu_s"),
                       ("XCom bytes per video", "xcom_bytes_per_video"),
                       ("metadata rows added per video", "db_rows_per_video")):
        lines.append(f"  {label:56}" + "".join(f"{_fmt(results[d]['cost'].get(key)):>30}" for d in designs))
    return "\n".join(lines)


def _mean_cpu(samples: list[dict]) -> float | None:
    values = [s["cpu_busy"] for s in samples if s.get("cpu_busy") is not None]
    return round(sum(values) / len(values), 3) if values else None


def _task_phases(tis: list[dict], t0: float) -> dict[str, dict[str, Any]]:
    """Per task id: how many instances, first start / last end, and the summed run time (relative to t0)."""
    by: dict[str, list[dict]] = {}
    for ti in tis:
        by.setdefault(ti["task_id"], []).append(ti)
    out = {}
    for task_id, group in by.items():
        starts = [g["start"] for g in group if g["start"]]
        ends = [g["end"] for g in group if g["end"]]
        durations = [g["end"] - g["start"] for g in group if g["start"] and g["end"]]
        queued = [g["start"] - g["queued"] for g in group if g["start"] and g.get("queued")]
        out[task_id] = {
            "count": len(group),
            "states": dict(Counter(g["state"] for g in group)),
            "first_start_s": round(min(starts) - t0, 3) if starts else None,
            "last_end_s": round(max(ends) - t0, 3) if ends else None,
            "mean_start_to_end_s": round(sum(durations) / len(durations), 3) if durations else None,
            "mean_queued_to_start_s": round(sum(queued) / len(queued), 3) if queued else None,
        }
    return out


def chart(results: dict[str, Any], raws: dict[str, dict], path_list: list, *, region: str,
          real_limits: dict[str, int] | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    designs = [d for d in ("batched", "naive", "tenant2") if d in raws]
    with_cost: list[str] = []  # one bar set per measurement (the tenants' runs are measured together)
    for d in designs:
        cpu_s = results[d].get("cost") and results[d]["cost"]["cpu_s"]
        if cpu_s and all(cpu_s != results[o]["cost"]["cpu_s"] for o in with_cost):
            with_cost.append(d)
    fig, axes = plt.subplots(len(designs) + bool(with_cost), 1, figsize=(12, 3.8 * (len(designs) + bool(with_cost))),
                             squeeze=False)
    for ax, design in zip(axes[:, 0], designs, strict=False):
        raw, res = raws[design], results[design]
        region = res.get("region") or region
        limit = get_api(CREATE).limit(region)
        real = (real_limits or {}).get(CREATE) if design != "tenant2" else None
        t0 = raw["run_start"]
        ok = [r[0] - t0 for r in raw["requests"] if r[1] == CREATE and r[2] < 400]
        thr = [r[0] - t0 for r in raw["requests"] if r[1] == CREATE and r[2] == 429]
        end = max([*ok, *thr, (res["t_s"] or 0), (res["t_run_s"] or 0), 1.0])
        bins = list(range(0, int(math.ceil(end)) + 2))
        ax.hist([ok, thr] if thr else [ok], bins=bins, stacked=True, color=["#4c72b0", "#d62728"][: 2 if thr else 1],
                label=["admitted creates"] + (["throttled (429)"] if thr else []), rwidth=0.9)
        ax.axhline(limit, color="#7f7f7f" if real else "#d62728", linestyle=":" if real else "--", linewidth=1.2,
                   label=f"table's limit {limit}/s ({CREATE}, {region})")
        if real:
            ax.axhline(real, color="#d62728", linestyle="--", linewidth=1.2, label=f"gateway's real limit {real}/s")
        if real:
            ax.axvline(res["t_true_bound_s"], color="#d62728", linestyle=":", linewidth=1.2,
                       label=f"true bound (at {real}/s) = {res['t_true_bound_s']:.1f} s")
        if res.get("learned_rate"):  # before the first call there is no state: the table's limit applies
            xs, ys = zip(*([[0.0, float(limit)]] + res["learned_rate"]), strict=True)
            ax.step(xs, ys, where="post", color="#ff7f0e", linewidth=1.4, label="limiter's learned rate (calls/s)")
        if res["t_s"]:
            ax.axvline(res["t_s"], color="#2ca02c", linewidth=1.2, label=f"last video SUCCEED: T = {res['t_s']:.1f} s")
        ax.axvline(res["t_star_s"], color="#7f7f7f", linestyle=":", linewidth=1.2,
                   label=f"T* = {res['t_star_s']:.1f} s")
        ratio = f"{res['t_star_over_t']:.3f}" if res["t_star_over_t"] else "n/a"
        bound = (f", T/true bound = {res['t_over_true_bound']}" if real else "")
        ax.set_title(f"{design} ({region}): {res['n_videos']} videos, T*/T = {ratio}{bound} "
                     f"(to the run's end {res.get('t_star_over_t_run')}), throttled = {res['throttled']} "
                     f"({res['throttled_per_video']}/video), status calls/video = {res['status_calls_per_video']}",
                     fontsize=10)
        ax.set_xlabel("seconds since the DAG run started")
        ax.set_ylabel("admitted creates / s")
        ax.set_ylim(0, limit + 2)
        if res["t_run_s"]:
            ax.axvline(res["t_run_s"], color="#9467bd", linestyle="-.", linewidth=1.2,
                       label=f"DAG run end = {res['t_run_s']:.1f} s")
        ax.legend(loc="upper right", fontsize=8)
    if with_cost:
        ax = axes[-1, 0]
        names = [n for n in [*COST_ROWS, "emulator", "emulator2"] if n in results[with_cost[0]]["cost"]["cpu_s"]]
        width = 0.8 / len(with_cost)
        for i, design in enumerate(with_cost):
            c = results[design]["cost"]
            measured = design if c["videos_measured"] == results[design]["n_videos"] else "all runs"
            ax.bar([x + i * width for x in range(len(names))], [c["cpu_s_per_1000_videos"].get(n, 0) for n in names],
                   width=width, label=f"{measured}: "
                                      f"CPU-s per 1,000 videos ({c['executor']}, {c['videos_measured']} videos)")
            for x, n in enumerate(names):
                ax.annotate(f"{c['peak_pss_mb'].get(n, 0):.0f} MB",
                            (x + i * width, c["cpu_s_per_1000_videos"].get(n, 0)),
                            ha="center", va="bottom", fontsize=7)
        ax.set_xticks([x + width * (len(with_cost) - 1) / 2 for x in range(len(names))], names)
        ax.set_ylabel("CPU-s per 1,000 videos")
        ax.set_title("Airflow's own cost per component (labels: peak PSS); XCom bytes/video "
                     + ", ".join(f"{d} {results[d]['cost']['xcom_bytes_per_video']}" for d in with_cost)
                     + "; metadata rows/video " + ", ".join(f"{d} {results[d]['cost']['db_rows_per_video']}"
                                                              for d in with_cost), fontsize=9)
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    for path in path_list:
        fig.savefig(path, dpi=110)
    plt.close(fig)


ROWS = [
    ("videos", "n_videos"), ("videos SUCCEED", "videos_succeeded"), ("run state", "run_state"),
    ("T* (s)", "t_star_s"), ("T to last SUCCEED (s)", "t_s"), ("T*/T", "t_star_over_t"),
    ("DAG run start->end (s)", "t_run_s"), ("T*/T to the run's end", "t_star_over_t_run"),
    ("run end / last video", "run_end_over_last_video"), ("throttled responses", "throttled"),
    ("throttled / video", "throttled_per_video"), ("true bound (real limits, s)", "t_true_bound_s"),
    ("T / true bound", "t_over_true_bound"),
    ("creates max in any 1 s", "creates_max_in_any_1s_window_measured"),
    ("status calls", "status_calls"), ("status calls / video", "status_calls_per_video"),
    ("slot-s held by wait tasks", "worker_slot_seconds_waiting"),
    ("slot-s held, all tasks", "worker_slot_seconds_total"),
    ("max running wait tasks", "max_running_wait_tasks"), ("triggerer peak PSS (MB)", "triggerer_peak_pss_mb"),
    ("triggerer peak RSS (MB)", "triggerer_peak_rss_mb"), ("task instances", "task_instances"),
    ("machine CPU busy (mean)", "machine_cpu_busy_mean"),
]


def table(results: dict[str, Any]) -> str:
    designs = [d for d in ("batched", "naive", "tenant2") if d in results]
    lines = [f"{'':28}" + "".join(f"{d:>16}" for d in designs)]
    for label, key in ROWS:
        lines.append(f"{label:28}" + "".join(f"{_fmt(results[d].get(key)):>16}" for d in designs))
    for label, key in (("creates: gaps > 2 intervals", "gaps_over_two_intervals"),
                       ("  time lost in them (s)", "time_lost_in_gaps_s"),
                       ("  at chunk boundaries", "gaps_at_chunk_boundaries"),
                       ("  time lost there (s)", "time_lost_at_chunk_boundaries_s"),
                       ("  shortest / median gap (s)", None)):
        if key is None:
            gaps = (_fmt(results[d]["pacing"]["shortest_gap_s"]) + " / " + _fmt(results[d]["pacing"]["median_gap_s"])
                    for d in designs)
            lines.append(f"{label:28}" + "".join(f"{gap:>16}" for gap in gaps))
            continue
        lines.append(f"{label:28}" + "".join(f"{_fmt(results[d]['pacing'].get(key)):>16}" for d in designs))
    for label, key in (("Airflow before 1st create", "airflow_before_first_create_s"),
                       ("create span (s)", "create_span_s"), ("  at the limit (s)", "create_span_at_limit_s"),
                       ("effective creates/s", "effective_create_rate_per_s"), ("render tail (s)", "render_tail_s")):
        lines.append(f"{label:28}" + "".join(f"{_fmt(results[d]['profile'].get(key)):>16}" for d in designs))
    max_calls = {d: results[d]["max_admitted_in_any_second"] for d in designs}
    apis = sorted({api for d in designs for api in max_calls[d]})
    lines.append("most calls admitted in any second (limit):")
    for api in apis:
        cells = (f"{max_calls[d][api]['max']} ({max_calls[d][api]['limit']})" if api in max_calls[d] else "-"
                 for d in designs)
        lines.append(f"  {api:26}" + "".join(f"{cell:>16}" for cell in cells))
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def verdict(results: dict[str, Any], wanted: dict[str, Any]) -> str:
    """The batched design's figures against issue 13's targets, one line each."""
    b = results.get("batched")
    if not b:
        return "targets: (batched design not run)"
    checks = {
        "t_star_over_t_min": ("T*/T", b["t_star_over_t"], lambda v, w: v is not None and v >= w, ">="),
        "throttled": ("throttled", b["throttled"], lambda v, w: v == w, "=="),
        "status_calls_per_video_max": ("status calls/video", b["status_calls_per_video"],
                                       lambda v, w: v is not None and v <= w, "<="),
        "worker_slot_seconds_waiting": ("slot-s held by wait tasks", b["worker_slot_seconds_waiting"],
                                        lambda v, w: v <= 1.0, "~"),
        "throttled_per_video_max": ("throttled/video", b["throttled_per_video"],
                                    lambda v, w: v is not None and v <= w, "<="),
        "t_over_true_bound_max": ("T/true bound", b["t_over_true_bound"], lambda v, w: v is not None and v <= w, "<="),
        "run_end_over_last_video_max": ("run end / last video", b.get("run_end_over_last_video"),
                                        lambda v, w: v is not None and v <= w, "<="),
    }
    lines = ["targets (batched design):"]
    for key, want in wanted.items():
        label, value, ok, op = checks[key]
        lines.append(f"  {label:28} {_fmt(value):>10}  {op} {want}  {'met' if ok(value, want) else 'NOT MET'}")
    return "\n".join(lines)
