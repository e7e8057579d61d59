"""The run as a rich table on the terminal, as JSON (for the plot and for comparison) and as Markdown."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from access_policy.bench.results import Results


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def as_dict(results: Results, machine: dict, versions: dict, command: str) -> dict:
    """Everything the run found, JSON-ready."""
    return {
        "mode": results.mode,
        "command": command,
        "machine": machine,
        "versions": versions,
        "figures": {
            key: {"workload": f.workload, "label": f.label, **f.measurement.as_dict(), "note": f.note}
            for key, f in results.figures.items()
        },
        "ratios": {key: {"label": r.label, "value": r.value, "numerator": r.numerator, "denominator": r.denominator} for key, r in results.ratios.items()},
        "checks": {key: {"label": c.label, "agreed": c.agreed, "total": c.total, "passed": c.passed} for key, c in results.checks.items()},
        "targets": [
            {"key": t.key, "label": t.label, "bound": t.bound, "value": t.value, "status": t.status, "note": t.note} for t in results.targets
        ],
        "skipped": results.skipped,
        "extra": results.extra,
    }


def print_tables(results: Results, console: Console) -> None:
    """Figures, ratios, agreement and targets as tables."""
    figures = Table(title=f"access-policy bench ({results.mode})", title_justify="left")
    for column in ("workload", "what", "median", "min – max", "unit", "runs"):
        figures.add_column(column, justify="right" if column in ("median", "min – max", "runs") else "left")
    for f in results.figures.values():
        m = f.measurement
        figures.add_row(f.workload, f.label, _number(m.median), f"{_number(m.min)} – {_number(m.max)}", m.unit, str(m.runs))
    console.print(figures)
    if results.ratios:
        ratios = Table(title="ratios (medians of this run)", title_justify="left")
        ratios.add_column("ratio")
        ratios.add_column("value", justify="right")
        for r in results.ratios.values():
            ratios.add_row(r.label, f"{_number(r.value)}×")
        console.print(ratios)
    latency = results.extra.get("latency_ms")
    if isinstance(latency, dict) and latency:
        table = Table(title="service latency", title_justify="left")
        for column in ("load", "p50", "p99"):
            table.add_column(column, justify="left" if column == "load" else "right")
        for key, value in latency.items():
            table.add_row(key, f"{value['p50']:.1f} ms", f"{value['p99']:.1f} ms")
        console.print(table)
    if results.checks:
        checks = Table(title="agreement with the engine", title_justify="left")
        checks.add_column("check")
        checks.add_column("agreed", justify="right")
        for c in results.checks.values():
            checks.add_row(c.label, f"[{'green' if c.passed else 'red'}]{c.agreed:,} / {c.total:,}[/]")
        console.print(checks)
    targets = Table(title="targets", title_justify="left")
    for column in ("target", "bound", "value", "status"):
        targets.add_column(column, justify="right" if column == "value" else "left")
    for t in results.targets:
        colour = {"PASS": "green", "MISS": "red"}.get(t.status, "yellow")
        value = "—" if t.value is None else _number(t.value)
        targets.add_row(t.label + (f"\n[dim]{t.note}[/]" if t.note else ""), t.bound, value, f"[{colour}]{t.status}[/]")
    console.print(targets)
    for key, reason in results.skipped.items():
        console.print(f"[yellow]skipped[/] {key}: {reason}")


def markdown(data: dict) -> str:
    """The run as Markdown (what docs/benchmarks.md quotes)."""
    machine, versions = data["machine"], data["versions"]
    lines = [
        f"### Run: `{data['command']}` ({data['mode']} mode, {machine['started']})",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, {machine['os']}, "
        f"{machine['python']}; load average at start {machine.get('load_average')}.",
        "",
        "Versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()) + ".",
        "",
        "| workload | what | median | min – max | unit | runs |",
        "|---|---|---:|---:|---|---:|",
    ]
    for f in data["figures"].values():
        lines.append(f"| {f['workload']} | {f['label']} | {_number(f['median'])} | {_number(f['min'])} – {_number(f['max'])} | {f['unit']} | {f['runs']} |")
    notes = [(f["label"], f["note"]) for f in data["figures"].values() if f.get("note")]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {label}: {note}" for label, note in notes]
    latency = data.get("extra", {}).get("latency_ms")
    if latency:
        lines += ["", "| service load (target.workers.kind) | p50 latency | p99 latency |", "|---|---:|---:|"]
        lines += [f"| {key} | {value['p50']:.1f} ms | {value['p99']:.1f} ms |" for key, value in latency.items()]
    if data["ratios"]:
        lines += ["", "| ratio (medians of this run) | value |", "|---|---:|"]
        lines += [f"| {r['label']} | {_number(r['value'])}× |" for r in data["ratios"].values()]
    if data["checks"]:
        lines += ["", "| agreement with the engine | agreed |", "|---|---:|"]
        lines += [f"| {c['label']} | {c['agreed']:,} / {c['total']:,} |" for c in data["checks"].values()]
    lines += ["", "| target | bound | value | status |", "|---|---|---:|---|"]
    for t in data["targets"]:
        value = "—" if t["value"] is None else _number(t["value"])
        note = f" ({t['note']})" if t.get("note") else ""
        lines.append(f"| {t['label']}{note} | {t['bound']} | {value} | **{t['status']}** |")
    if data["skipped"]:
        lines += ["", "Skipped:", ""] + [f"- {key}: {reason}" for key, reason in data["skipped"].items()]
    profiles = data.get("extra", {}).get("profiles")
    if profiles:
        lines += ["", "Where the service spends its time under load (py-spy, share of busy samples, inclusive):"]
        for key, frames in profiles.items():
            lines += ["", f"- {key}:"] + [f"  - {share:.0%} `{frame}`" for frame, share in frames[:8]]
    fills = data.get("extra", {}).get("fill_seconds")
    if fills:
        lines += ["", "Store filled (synthetic population, the store's bulk paths): "
                  + ", ".join(f"to {int(size):,} children in {value:.0f} s" for size, value in fills.items()) + "."]
    seconds = data.get("extra", {}).get("seconds")
    if seconds:
        spent = ", ".join(f"{key} {value:.0f} s" for key, value in seconds.items())
        lines += ["", f"Wall time: {machine.get('seconds', 0):.0f} s in all ({spent}); load average at the end {machine.get('finished_load_average')}."]
    return "\n".join(lines) + "\n"


def write(data: dict, output: Path) -> tuple[Path, Path]:
    """Write results.json and results.md into `output` (and a copy named by mode)."""
    output.mkdir(parents=True, exist_ok=True)
    json_path = output / f"results-{data['mode']}.json"
    md_path = output / f"results-{data['mode']}.md"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(markdown(data))
    return json_path, md_path
