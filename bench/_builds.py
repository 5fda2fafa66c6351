"""Which build of the core a benchmark runs, and a peer module compiled to match it.

`make bench` runs the benchmarks with the mypyc-compiled core (`.venv-compiled`). A
peer written in Python is then compiled with mypyc too, so that the comparison is
compiled against compiled; under the plain venv both sides stay plain Python.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

_SETUP = ("import sys; from setuptools import setup; from mypyc.build import mypycify; "
          "setup(name='bench_peer', ext_modules=mypycify([sys.argv[1] + '.py'], "
          "opt_level='3'), script_args=sys.argv[2:])")


def core_compiled() -> bool:
    """True when the engine imported is the mypyc-compiled one."""
    import callcenter.core.engine as engine

    return (engine.__file__ or "").endswith(".so")


def load_compiled(name: str) -> ModuleType:
    """bench/<name>.py compiled with mypyc (opt_level 3, as the core), imported.

    Compiled once into build/bench-peer/<key>/, the key made of the module's source and
    the versions of Python and mypy; a module that does not compile fails the run.
    """
    import mypy.version

    source = BENCH / f"{name}.py"
    key = hashlib.sha256(source.read_bytes() + sys.version.encode()
                         + mypy.version.__version__.encode()).hexdigest()[:16]
    dest = ROOT / "build" / "bench-peer" / key
    if not any(dest.glob(f"{name}.*.so")):
        print(f"compiling {source.name} with mypyc into {dest.relative_to(ROOT)} ...",
              file=sys.stderr)
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, dest / source.name)
        done = subprocess.run([sys.executable, "-c", _SETUP, name, "build_ext", "--inplace"],
                              cwd=dest, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"mypyc could not compile {source.name}:\n{done.stdout}\n"
                             f"{done.stderr}")
    sys.path.insert(0, str(dest))
    module = importlib.import_module(name)
    if not (module.__file__ or "").endswith(".so"):
        raise SystemExit(f"the compiled {name} did not load: {module.__file__}")
    return module
