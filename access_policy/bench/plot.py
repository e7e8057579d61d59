"""The plot of docs/benchmarks.md: decision time against children stored, engine and peers, from the JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Sequence


def _series(figures: dict, prefix: str) -> list[tuple[int, dict]]:
    points = []
    for key, figure in figures.items():
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            points.append((int(key[len(prefix):]), figure))
    return sorted(points)


def draw(data: dict, path: Path) -> Path:
    """Draw the plot to a PNG (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = data["figures"]
    per_child = data.get("extra", {}).get("casbin_lines_per_child") or 1.0
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)

    def plot(points: Sequence[tuple[float, dict]], label: str, style: str) -> None:
        if not points:
            return
        xs = [x for x, _ in points]
        ys = [f["median"] for _, f in points]
        low = [f["median"] - f["min"] for _, f in points]
        high = [f["max"] - f["median"] for _, f in points]
        ax.errorbar(xs, ys, yerr=[low, high], fmt=style, capsize=3, label=label)

    plot(_series(figures, "single."), "engine: one decision, facts read from SQLite", "o-")
    plot(_series(figures, "cedar.single."), "Cedar (cedarpy): one decision, facts read from SQLite", "s-")
    casbin = [(lines / per_child, figure) for lines, figure in _series(figures, "casbin.list.")]
    plot(casbin, f"naive casbin: one decision, every fact a policy line ({per_child:.1f} lines per child)", "^--")
    engine_list = figures.get("engine.list")
    if engine_list:
        ax.axhline(engine_list["median"], color="grey", linestyle=":", label="engine: per item of a 1,000-item list (facts loaded)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("children stored")
    ax.set_ylabel("time per decision (µs, median; bars: min–max)")
    ax.set_title(f"Decision time against children stored ({data['mode']} run, {data['machine']['cores']} cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


if __name__ == "__main__":  # python -m access_policy.bench.plot RESULTS.json OUT.png
    draw(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
