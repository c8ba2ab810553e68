"""Whole-process timing of ``sealbox-sops`` against Go sops on the same files, in the same run.

Cases (issue 3): encrypt and decrypt of a 1,000-key YAML file and of a 10 MB binary file (the
large cases), plus a 5-key YAML file (the small case), with one age recipient. Each command
runs as a fresh process (Python start-up included), a few times after a warm-up, alternating
between the tools so that load from other processes hits both alike; the median wall time is
reported with the sealbox/Go ratio. sealbox's modules are byte-compiled first, as an installed
package would be.

    .venv/bin/python bench/sops_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TOOLS = {"sealbox": BIN / "sealbox-sops", "go sops": BIN / "sops"}


def _age_key(directory: Path) -> str:
    if shutil.which("age-keygen") is None:
        sys.exit("age-keygen is required (apt-get install age)")
    key_file = directory / "keys.txt"
    subprocess.run(["age-keygen", "-o", str(key_file)], check=True, capture_output=True)
    for line in key_file.read_text().splitlines():
        if line.startswith("# public key: "):
            os.environ["SOPS_AGE_KEY_FILE"] = str(key_file)
            return line.removeprefix("# public key: ")
    sys.exit("age-keygen wrote no public key")


def _time_pair(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time in seconds per tool; the tools alternate run by run (after one
    warm-up each) so that load from other processes on the machine hits both alike."""
    samples: dict[str, list[float]] = {tool: [] for tool in commands}
    for attempt in range(runs + 1):
        for tool, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            if attempt:
                samples[tool].append(time.perf_counter() - start)
    return {tool: statistics.median(values) for tool, values in samples.items()}


def _byte_compile() -> None:
    """Compile sealbox's modules once, as ``pip install`` does (PYTHONDONTWRITEBYTECODE may be
    set in development shells, which would make every run recompile from source)."""
    import sealbox

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    package = str(Path(sealbox.__file__).parent)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", package],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    os.environ["SOPS_DISABLE_VERSION_CHECK"] = "1"
    _byte_compile()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        os.chdir(work)  # away from any .sops.yaml above the caller's directory
        recipient = _age_key(work)
        yaml_file = work / "big.yaml"
        yaml_file.write_text("".join(f"key{i}: value number {i}\n" for i in range(1000)))
        small_file = work / "small.yaml"
        small_file.write_text("".join(f"key{i}: value {i}\n" for i in range(5)))
        binary_file = work / "big.bin"
        binary_file.write_bytes(os.urandom(10 * 1024 * 1024))
        print(f"{'case':<26}{'sealbox':>10}{'go sops':>10}{'ratio':>8}")
        cases = (
            ("5-key YAML", small_file),
            ("1,000-key YAML", yaml_file),
            ("10 MB binary", binary_file),
        )
        for label, source in cases:
            encrypted = work / ("enc-" + source.name)
            with encrypted.open("wb") as out:
                subprocess.run(
                    [str(TOOLS["go sops"]), "encrypt", "--age", recipient, str(source)],
                    check=True,
                    stdout=out,
                )
            times = {
                "encrypt": _time_pair(
                    {
                        tool: [str(program), "encrypt", "--age", recipient, str(source)]
                        for tool, program in TOOLS.items()
                    },
                    runs,
                ),
                "decrypt": _time_pair(
                    {
                        tool: [str(program), "decrypt", str(encrypted)]
                        for tool, program in TOOLS.items()
                    },
                    runs,
                ),
            }
            for operation, figures in times.items():
                ours, theirs = figures["sealbox"], figures["go sops"]
                print(
                    f"{operation + ' ' + label:<26}{ours * 1000:>8.0f}ms{theirs * 1000:>8.0f}ms"
                    f"{ours / theirs:>7.2f}x"
                )


if __name__ == "__main__":
    main()
