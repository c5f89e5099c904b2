"""A Monte Carlo batch on a SLURM cluster: dask-jobqueue starts Dask workers as SLURM jobs, simcore sends them chunks.

    pip install -e ".[jobqueue]"        # dask-jobqueue, in the environment every job will use

    # see the job script without submitting anything (works on any machine):
    python benchmarks/slurm_example.py scenarios/ev_chip_embargo.toml --dry-run

    # on the login node: 10 jobs of 8 cores, 100,000 replications, chunks saved in runs/chips_100k
    python benchmarks/slurm_example.py scenarios/ev_chip_embargo.toml -n 100000 --jobs 10 \\
        --cores 8 --memory 16GB --walltime 02:00:00 --job-extra=--partition=compute --out runs/chips_100k

    # the jobs ran out of walltime, or the login session died: submit again with --resume
    python benchmarks/slurm_example.py ... --out runs/chips_100k --resume

The Dask scheduler runs in this process (on the login node) and every job runs
`python -m distributed.cli.dask_worker` with this same Python, so simcore must
be installed where the compute nodes see it (a shared file system). The batch
waits for `--min-workers` workers before it starts (SLURM may queue the jobs
for a while; the scenario is sent to the workers that are up when it starts,
and later workers fetch it from them). With `--out`, every finished chunk is
on disk: a batch cut short by walltime or a lost scheduler continues with
`--resume`, and its numbers are those of an uninterrupted run.

Other schedulers: dask_jobqueue.PBSCluster, SGECluster, LSFCluster take the
same options (docs/montecarlo.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_cluster(args):
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:
        sys.exit('this example needs dask-jobqueue: pip install -e ".[jobqueue]"  (or pip install dask-jobqueue)')
    options = {
        "cores": args.cores,
        "processes": args.processes or args.cores,
        "memory": args.memory,
        "walltime": args.walltime,
        "job_extra_directives": args.job_extra,
        "python": args.python,
        "scheduler_options": {"dashboard_address": args.dashboard},
    }
    for name in ("queue", "account", "interface", "local_directory", "log_directory", "job_name"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.job_prologue:
        options["job_script_prologue"] = args.job_prologue
    return SLURMCluster(**options)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", type=Path, nargs="?", default=ROOT / "scenarios" / "ev_chip_embargo.toml")
    p.add_argument("-n", "--replications", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    p.add_argument("--chunk-size", type=int, default=None, help="replications per Dask task (default: simcore's, 250)")
    p.add_argument("--out", type=Path, default=None, help="folder for the chunks (and --resume); default: in memory")
    p.add_argument("--resume", action="store_true", help="continue the batch in --out")
    g = p.add_argument_group("SLURM jobs (dask_jobqueue.SLURMCluster)")
    g.add_argument("--jobs", type=int, default=4, help="SLURM jobs to start (cluster.scale(jobs=...))")
    g.add_argument("--cores", type=int, default=8, help="cores per job (--cpus-per-task)")
    g.add_argument(
        "--processes",
        type=int,
        default=None,
        help="Dask worker processes per job (default: one per core, one thread each; each chunk runs on one thread and releases the GIL, so fewer processes with more threads work too)",
    )
    g.add_argument("--memory", default="16GB", help="memory per job (--mem)")
    g.add_argument("--walltime", default="02:00:00", help="per job (-t)")
    g.add_argument("--queue", default=None, help="partition (-p)")
    g.add_argument("--account", default=None, help="account (-A)")
    g.add_argument(
        "--job-extra",
        action="append",
        default=[],
        metavar="DIRECTIVE",
        help="extra #SBATCH directive, repeatable: --job-extra=--qos=long --job-extra=--constraint=avx2",
    )
    g.add_argument(
        "--job-prologue",
        action="append",
        default=[],
        metavar="COMMAND",
        help="shell line run before the worker, repeatable: --job-prologue='module load python'",
    )
    g.add_argument("--job-name", default="simcore-mc")
    g.add_argument("--interface", default=None, help="network interface the workers and scheduler talk over (e.g. ib0)")
    g.add_argument("--local-directory", default=None, help="node-local scratch for the workers (e.g. $TMPDIR)")
    g.add_argument("--log-directory", default=None, help="where SLURM writes the jobs' output")
    g.add_argument("--python", default=sys.executable, help="Python on the compute nodes (default: this one)")
    g.add_argument("--dashboard", default=":8787", help='Dask dashboard address on this node ("" : none)')
    g.add_argument("--min-workers", type=int, default=1, help="Dask workers to wait for before the batch starts")
    g.add_argument("--wait", type=float, default=3600, help="seconds to wait for them (jobs may queue)")
    g.add_argument("--dry-run", action="store_true", help="print the job script and exit: nothing is submitted")
    args = p.parse_args(argv)
    if args.dashboard == "":
        args.dashboard = None

    cluster = make_cluster(args)
    try:
        if args.dry_run:
            print(f"# dry run: {args.jobs} job(s) of this script would be submitted with sbatch; scheduler at {cluster.scheduler_address}")
            print(cluster.job_script())
            return 0

        from distributed import Client

        from simcore import load_scenario
        from simcore.montecarlo import run_batch

        scenario = load_scenario(args.scenario)
        cluster.scale(jobs=args.jobs)
        print(f"submitted {args.jobs} SLURM job(s); scheduler {cluster.scheduler_address}, dashboard {cluster.dashboard_link}", flush=True)
        with Client(cluster) as client:
            t0 = time.perf_counter()
            client.wait_for_workers(args.min_workers, timeout=args.wait)
            print(
                f"{len(client.scheduler_info(n_workers=-1)['workers'])} worker(s) up after {time.perf_counter() - t0:.0f} s; starting the batch",
                flush=True,
            )
            t0 = time.perf_counter()
            result = run_batch(
                scenario,
                args.replications,
                seed=args.seed,
                out=args.out,
                chunk_size=args.chunk_size,
                scheduler=cluster.scheduler_address,
                resume=args.resume,
                progress=True,
            )
            wall = time.perf_counter() - t0
        print(
            f"\n{result.replications:,} replications of {len(result.variants)} variants in {wall:.0f} s ({result.replications / wall:.0f} replications/s)"
        )
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", None):
            print(result.comparison().to_string(index=False, float_format=lambda x: f"{x:.4g}"))
        if args.out is not None:
            print(f"chunks in {args.out}/chunks; the same command with --resume reads them back")
        return 0
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main())
