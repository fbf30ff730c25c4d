"""Benchmark of the mesoscopic traffic kernel (``simulation.mobility``).

Scenarios (random OD, seed 42):

* 10x10 grid, 200 m blocks, 2 lanes each way, 50 km/h, 1800 veh/h/lane, two-phase fixed-time
  signals (60 s cycle, 30 s green each) at every junction of 3 or more approaches, 20,000 trips
  departing uniformly over one hour;
* 30x30 grid, same streets and signals, 100,000 trips over one hour;
* 30x30-day: the 30x30 grid, 1,000,000 trips over 24 hours, departures following a weekday
  profile (``DAY_PROFILE``, hourly shares: morning and evening peaks of 7.5 %, nights of 0.4 %),
  run until every trip has arrived.

Runs re-route 10 % of the vehicles every 300 s and sample positions every 30 s. Each figure is
measured in a fresh process, so peak memory is that of one run: compile time (a cold numba
cache in a temporary folder), wall time, peak resident memory (and its growth over the warmed-up
interpreter), mean travel time, the time to rebuild all routes (every vehicle at once: one tree
per destination; and the mean re-routing during the run), and the speed-up from one to two
threads (and with the thread count left to the run, which measures both on its first chunks
of steps). If UXsim is installed (``pip install uxsim``) the 10x10 scenario also runs in UXsim, as
a peer in the same process conditions, and the ratio is printed. The machine's load average is
printed with the figures: on a machine busy with other work, threads wait for each other.

    python tests/bench/bench_mobility.py            # everything
    python tests/bench/bench_mobility.py --quick    # 10x10 only, no UXsim
    python tests/bench/bench_mobility.py --repeat 3 # medians of three runs of each figure
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

KMH = 1.0 / 3.6
SCENARIOS = {"10x10": (10, 20_000), "30x30": (30, 100_000), "30x30-day": (30, 1_000_000)}
TARGETS = {"wall_s": 5.0, "peak_mb": 500.0, "rebuild_ms": 20.0, "speedup": 1.7,
           "day_wall_s": 10.0, "day_peak_mb": 1000.0}
DAY_PROFILE = (0.8, 0.5, 0.4, 0.4, 0.6, 1.5, 4.0, 7.0, 7.5, 5.5, 4.8, 5.0, 5.3, 5.2, 5.4, 6.0,
               7.0, 7.6, 6.5, 4.8, 3.6, 2.9, 2.2, 1.5)
"""Share of the day's trips departing in each hour (relative; a weekday with two peaks)."""


def grid_graph(n: int, block: float = 200.0, lanes: float = 2.0):
    """An n x n grid of two-way streets."""
    from simulation.graph import build_road_graph

    ix, iy = np.meshgrid(np.arange(n), np.arange(n), indexing="xy")
    nid = np.arange(n * n).reshape(n, n)
    a = np.concatenate([nid[:, :-1].ravel(), nid[:-1, :].ravel()])
    b = np.concatenate([nid[:, 1:].ravel(), nid[1:, :].ravel()])
    frm, to = np.concatenate([a, b]), np.concatenate([b, a])
    m = frm.size
    return build_road_graph(ix.ravel() * block, iy.ravel() * block, frm, to, np.full(m, block),
                            np.full(m, 50 * KMH), np.full(m, 1800.0 * lanes), np.full(m, lanes))


def day_demand(g, n_trips: int, seed: int):
    """Random OD trips between distinct nodes, departing over 24 h after ``DAY_PROFILE``."""
    from simulation.mobility import Demand

    rng = np.random.default_rng(seed)
    share = np.asarray(DAY_PROFILE) / np.sum(DAY_PROFILE)
    hour = rng.choice(24, size=n_trips, p=share)
    dep = np.sort(hour * 3600.0 + rng.uniform(0.0, 3600.0, n_trips))
    o = rng.integers(0, g.n_nodes, n_trips)
    d = rng.integers(0, g.n_nodes - 1, n_trips)
    d = d + (d >= o)
    return Demand(dep, o.astype(np.int32), d.astype(np.int32))


def scenario(name: str):
    from simulation.mobility import Settings, random_demand, two_phase_plan

    n, trips = SCENARIOS[name]
    g = grid_graph(n)
    plan = two_phase_plan(g, cycle=60.0, lost_time=0.0)
    if name.endswith("-day"):
        demand = day_demand(g, trips, seed=42)
        end = 26 * 3600.0
    else:
        demand = random_demand(g, trips, 0.0, 3600.0, seed=42)
        end = 4 * 3600.0
    settings = Settings(dt=1.0, end_time=end, bin_width=300.0, reroute_interval=300.0,
                        reroute_share=0.1, sample_interval=30.0, seed=42)
    return g, plan, demand, settings


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process, MB."""
    cur = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    if not peak:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return cur, peak


def child_compile() -> dict:
    """First run in a process with a cold cache: the compile time of every kernel."""
    from simulation.mobility import Demand, Settings, simulate

    g = grid_graph(3)
    t0 = time.perf_counter()
    simulate(g, Demand([0.0], [0], [8]), Settings(end_time=600.0, reroute_interval=60.0,
                                                  sample_interval=60.0, threads=2))
    return {"compile_s": time.perf_counter() - t0}


def child_run(name: str, threads: int) -> dict:
    """One scenario on ``threads`` threads (0: the run's own choice, ``Settings.threads=None``),
    after a warm-up that loads the compiled kernels."""
    import dataclasses

    from simulation.mobility import Demand, Settings, simulate
    from simulation.mobility.controls import no_turns
    from simulation.mobility.fundamental import triangular
    from simulation.mobility.routing import Router, link_costs, trees_to
    from simulation.mobility.state import build_state

    t0 = time.perf_counter()
    simulate(grid_graph(3), Demand([0.0], [0], [8]),
             Settings(end_time=600.0, reroute_interval=60.0, sample_interval=60.0,
                      threads=threads or None))
    warm = time.perf_counter() - t0
    g, plan, demand, settings = scenario(name)
    settings = dataclasses.replace(settings, threads=threads or None)
    base_mb, _ = _rss_mb()
    t0 = time.perf_counter()
    r = simulate(g, demand, settings, plan)
    wall = time.perf_counter() - t0
    _, peak_mb = _rss_mb()
    tt = r.trips.travel_time
    out = {
        "scenario": name, "threads": threads, "cache_load_s": warm, "wall_s": wall,
        "stepping_s": r.timings["stepping"], "routing_s": r.timings["routing"],
        "route_builds": r.route_builds, "reroute_mean_ms": 1e3 * r.timings["routing"] / r.route_builds,
        "peak_mb": peak_mb, "growth_mb": peak_mb - base_mb, "end_time_s": r.end_time,
        "mean_travel_time_s": float(np.nanmean(tt)), "arrived": r.trips.n_arrived,
        "stuck": r.trips.n_stuck, "samples": int(r.positions.time.size),
    }
    del r
    if name.endswith("-day"):  # same network and destinations as 30x30: no rebuild figure
        return out
    # all routes of all vehicles at once, on free-flow costs (vehicles not yet departed): one
    # tree per destination into the tree pool, every vehicle pointed at its row
    import numba

    numba.set_num_threads(threads or numba.config.NUMBA_NUM_THREADS)
    model = triangular(g, settings.jam_density, settings.dt)
    st = build_state(g, model, plan.link_arrays(g), no_turns(g.n_links), demand.departure,
                     demand.origin, demand.destination, model.capacity, settings.dt, 1, 1)
    router = Router(g, demand.destination)
    everyone = np.ones(demand.n_vehicles, dtype=bool)
    full, trees = [], []
    for _ in range(7):
        t0 = time.perf_counter()
        router.reroute(st, 0, everyone)
        full.append(time.perf_counter() - t0)
        cost = link_costs(st.LF, st.LI, st.ring, 0)
        t0 = time.perf_counter()
        trees_to(g, cost, router.dest_nodes, router.in_csr, distances=False, hops=False)
        trees.append(time.perf_counter() - t0)
    out.update(rebuild_all_ms=1e3 * statistics.median(full),
               trees_ms=1e3 * statistics.median(trees), tree_rows=int(st.tree.shape[0]),
               destinations=int(router.dest_nodes.size))
    return out


def child_uxsim(name: str, cpp: bool) -> dict:
    """The same scenario in UXsim (platoons of 5 vehicles, its default), for comparison."""
    import uxsim

    n = SCENARIOS[name][0]
    _, _, demand, _ = scenario(name)
    deltan = 5
    W = uxsim.World(name="bench", deltan=deltan, tmax=4 * 3600, print_mode=0, save_mode=0,
                    show_mode=0, random_seed=42, duo_update_time=300, cpp=cpp)
    for i in range(n * n):
        x, y = (i % n) * 200.0, (i // n) * 200.0
        deg = 4 - (i % n in (0, n - 1)) - (i // n in (0, n - 1))
        W.addNode(f"n{i}", x, y, signal=[30, 30] if deg >= 3 else [0])
    for i in range(n * n):
        for j in (i + 1, i + n):
            if (j == i + 1 and i % n == n - 1) or j >= n * n:
                continue
            group = 0 if j == i + 1 else 1  # phase 0: along x, phase 1: along y
            for a, b in ((i, j), (j, i)):
                W.addLink(f"l{a}_{b}", f"n{a}", f"n{b}", length=200.0, free_flow_speed=50 * KMH,
                          jam_density_per_lane=0.15, number_of_lanes=2, signal_group=group,
                          capacity_out=1.0, capacity_in=1.0)
    for k in range(0, demand.n_vehicles, deltan):  # one platoon per deltan trips
        W.addVehicle(f"n{demand.origin[k]}", f"n{demand.destination[k]}",
                     float(demand.departure[k]))
    t0 = time.perf_counter()
    W.exec_simulation()
    wall = time.perf_counter() - t0
    W.analyzer.basic_analysis()
    return {"scenario": name, "peer": "UXsim C++" if cpp else "UXsim", "wall_s": wall,
            "mean_travel_time_s": float(W.analyzer.average_travel_time),
            "completed": int(W.analyzer.trip_completed), "total": int(W.analyzer.trip_all)}


def _spawn(args: list[str], env: dict, timeout: float = 900.0) -> dict | None:
    proc = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        print(f"  ({' '.join(args)} failed: {proc.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median(results: list[dict]) -> dict:
    """Field-wise median of repeated runs (numbers), first value otherwise."""
    out = dict(results[0])
    for key, value in out.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in results)
    out["runs"] = len(results)
    out["spread"] = {key: (min(r[key] for r in results), max(r[key] for r in results))
                     for key in ("wall_s", "stepping_s") if key in out}
    return out


def _load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _run_line(name: str, threads: int, res: dict) -> str:
    label = f"{threads} thread(s)" if threads else "threads chosen by the run"
    line = (f"{name} {SCENARIOS[name][1]:>9,} trips, {label}: "
            f"wall {res['wall_s']:.2f} s (stepping {res['stepping_s']:.2f}, routing "
            f"{res['routing_s']:.2f} in {res['route_builds']} builds, "
            f"{res['reroute_mean_ms']:.1f} ms each), peak RSS {res['peak_mb']:.0f} MB "
            f"(+{res['growth_mb']:.0f} MB over the warmed interpreter), mean travel time "
            f"{res['mean_travel_time_s']:.1f} s, arrived {res['arrived']:,}, stuck "
            f"{res['stuck']:,}, simulated {res['end_time_s']:.0f} s")
    if "rebuild_all_ms" in res:
        line += (f"; all routes of {SCENARIOS[name][1]:,} vehicles rebuilt in "
                 f"{res['rebuild_all_ms']:.1f} ms ({res['destinations']} trees alone "
                 f"{res['trees_ms']:.1f} ms)")
    if res.get("runs", 1) > 1:
        lo, hi = res["spread"]["wall_s"]
        line += f" [median of {res['runs']}, wall {lo:.2f}-{hi:.2f} s]"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x10 only, no UXsim")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each figure (medians are printed; default 1)")
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="these scenarios")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind = args.child[0]
        if kind == "compile":
            out = child_compile()
        elif kind == "run":
            out = child_run(args.child[1], int(args.child[2]))
        else:
            out = child_uxsim(args.child[1], args.child[2] == "cpp")
        print(json.dumps(out))
        return

    env = dict(os.environ)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = repo + os.pathsep + env.get("PYTHONPATH", "")
    print(f"mesoscopic traffic kernel benchmark ({os.cpu_count()} CPUs, {_load()})")
    compiles = []
    for _ in range(args.repeat):  # each in a fresh, empty cache
        env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-cache-")
        comp = _spawn(["--child", "compile"], env)
        if comp:
            compiles.append(comp["compile_s"])
    if compiles:
        print(f"compile (cold numba cache, all kernels): {statistics.median(compiles):.1f} s"
              + (f" (median of {len(compiles)}: {min(compiles):.1f}-{max(compiles):.1f})"
                 if len(compiles) > 1 else ""))
    names = ["10x10"] if args.quick else (args.only or list(SCENARIOS))
    runs: dict[tuple[str, int], dict] = {}
    for name in names:
        results: dict[int, list[dict]] = {1: [], 2: [], 0: []}
        for _ in range(args.repeat):  # alternate thread counts: all see the same load
            for threads in (1, 2, 0):
                res = _spawn(["--child", "run", name, str(threads)], env)
                if res is not None:
                    results[threads].append(res)
        for threads in (1, 2, 0):
            if results[threads]:
                runs[name, threads] = _median(results[threads])
                print(_run_line(name, threads, runs[name, threads]))
        if (name, 1) in runs and (name, 2) in runs:
            one, two = runs[name, 1], runs[name, 2]
            line = (f"{name} speed-up 1 -> 2 threads: total {one['wall_s'] / two['wall_s']:.2f}x, "
                    f"stepping {one['stepping_s'] / two['stepping_s']:.2f}x")
            if "rebuild_all_ms" in one:
                line += (f", route rebuild {one['rebuild_all_ms'] / two['rebuild_all_ms']:.2f}x, "
                         f"trees {one['trees_ms'] / two['trees_ms']:.2f}x")
            print(line + f" ({_load()})")
    big = runs.get(("30x30", 2))
    if big:
        print(f"targets (30x30, 2 threads): wall {big['wall_s']:.2f} s (<= {TARGETS['wall_s']}), "
              f"peak {big['peak_mb']:.0f} MB (< {TARGETS['peak_mb']:.0f}), all routes "
              f"{big['rebuild_all_ms']:.1f} ms / per re-routing {big['reroute_mean_ms']:.1f} ms "
              f"(<= {TARGETS['rebuild_ms']:.0f}), speed-up "
              f"{runs['30x30', 1]['wall_s'] / big['wall_s']:.2f}x (>= {TARGETS['speedup']})")
    day = runs.get(("30x30-day", 2))
    if day:
        print(f"targets (30x30-day, 1M trips, 2 threads): wall {day['wall_s']:.2f} s "
              f"(<= {TARGETS['day_wall_s']:.0f}), peak {day['peak_mb']:.0f} MB "
              f"(< {TARGETS['day_peak_mb']:.0f}), speed-up "
              f"{runs['30x30-day', 1]['wall_s'] / day['wall_s']:.2f}x (>= {TARGETS['speedup']})")
    if args.quick or "10x10" not in names:
        return
    try:
        import uxsim  # noqa: F401
    except ImportError:
        print("UXsim not installed (pip install uxsim): no peer run")
        return
    ours = runs.get(("10x10", 1))
    for cpp in (False, True):
        peers = [p for p in (_spawn(["--child", "uxsim", "10x10", "cpp" if cpp else "py"], env,
                                    timeout=1800) for _ in range(args.repeat)) if p]
        if not peers:
            continue
        peer = _median(peers)
        line = (f"{peer['peer']} 10x10: wall {peer['wall_s']:.2f} s, mean travel time "
                f"{peer['mean_travel_time_s']:.1f} s, completed {peer['completed']:,} of "
                f"{peer['total']:,}")
        if ours:
            line += (f"; this kernel (1 thread) is {peer['wall_s'] / ours['wall_s']:.1f}x faster, "
                     f"travel time ratio {ours['mean_travel_time_s'] / peer['mean_travel_time_s']:.2f}")
        print(line)


if __name__ == "__main__":
    main()
