"""Import cost: ``import ember`` against ``import numpy`` (and ``import torch`` when installed),
each in fresh interpreters, interleaved in one run so machine load hits all alike.

The child measures CPU time (and wall time) around the import statement only, so interpreter
start-up is not counted. Bytecode is cached (in a temporary ``PYTHONPYCACHEPREFIX``, even where
``PYTHONDONTWRITEBYTECODE`` is set) as it is for an installed package, so compiling sources is
not counted either. Goal (issue 11): ember costs at most 3x numpy.

    python benchmarks/bench_import.py [rounds]
"""
import os
import subprocess
import sys
import tempfile

CHILD = ("import time; w, c = time.perf_counter(), time.process_time(); import {mod}; "
         "print(time.process_time() - c, time.perf_counter() - w)")


def measure(mod, env):
    out = subprocess.run([sys.executable, "-c", CHILD.format(mod=mod)], env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout.split()
    return float(out[0]), float(out[1])


def main(rounds=15):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="ember-bench-pycache-"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    mods = ["numpy", "ember"]
    try:
        import importlib.util
        if importlib.util.find_spec("torch") is not None:
            mods.append("torch")
    except ImportError:  # pragma: no cover
        pass
    cpu = {m: [] for m in mods}
    wall = {m: [] for m in mods}
    for m in mods:  # warm the file cache
        measure(m, env)
    for _ in range(rounds):
        for m in mods:
            c, w = measure(m, env)
            cpu[m].append(c)
            wall[m].append(w)
    base_c, base_w = min(cpu["numpy"]), min(wall["numpy"])
    print(f"{'import':<10}{'cpu ms':>10}{'wall ms':>10}{'x numpy (cpu)':>16}{'x numpy (wall)':>16}")
    for m in mods:
        c, w = min(cpu[m]), min(wall[m])
        print(f"{m:<10}{c * 1e3:10.1f}{w * 1e3:10.1f}{c / base_c:15.2f}x{w / base_w:15.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
