"""Optional compiled build of the routing core.

`pip install .` installs plain Python. With CALLCENTER_COMPILE=1 the pure core
(`callcenter.core` with its dialer, `callcenter.core.dialer`, typed to `mypy --strict`)
is compiled to C extensions with mypyc, for the simulator and the server under load;
behaviour is the same and the test suite runs against both (`make test-compiled`).
"""

import os
from glob import glob

from setuptools import find_packages, setup

CORE = ["config", "errors", "events", "commands", "records", "agent_state",
        "interaction_state", "model", "timers", "routing", "presence", "lifecycle", "snapshot",
        "engine", "metrics"]

ext_modules = []
if os.environ.get("CALLCENTER_COMPILE") == "1":
    from mypyc.build import mypycify

    dialer = sorted(glob("src/callcenter/core/dialer/[!_]*.py"))
    ext_modules = mypycify([f"src/callcenter/core/{name}.py" for name in CORE] + dialer,
                           opt_level="3")

# The example scenarios, IVR flows and scripts live in examples/ at the top of the source tree
# and ship inside the package as `callcenter.examples`, so `callcenter demo` works
# installed.
setup(
    packages=[*find_packages("src"), "callcenter.examples", "callcenter.examples.scenarios",
              "callcenter.examples.flows", "callcenter.examples.scripts"],
    package_dir={"": "src", "callcenter.examples": "examples"},
    package_data={"callcenter": ["py.typed"], "callcenter.web": ["static/*", "static/vendor/*"],
                  "callcenter.api": ["common-passwords.txt.gz", "common-passwords.LICENSE"],
                  "callcenter.examples.scenarios": ["*.toml", "*.json"],
                  "callcenter.examples.flows": ["*.yaml"],
                  "callcenter.examples.scripts": ["*.yaml"]},
    ext_modules=ext_modules,
)
