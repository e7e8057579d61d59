"""The decision matrix as a picture: age band × who asks × what clinicians set → the deciding rule.

Drawn as SVG by code (no plotting library): each cell is the policy's answer for one situation
with current register data and no address protection, green with ✓ for permit, red with ✗ for
deny (shape as well as colour), the deciding rule written in the cell.
"""

from __future__ import annotations

from html import escape

from access_policy.policy import DIMENSION_NAMES, Policy

AGES = ("0-11", "12-15", "16-17", "18+")
# Who asks: label and the dimension values that say so.
REQUESTERS = (
    ("Forelder med foreldreansvar", {"requester": "person", "responsibility": "holder"}),
    ("Person uten foreldreansvar", {"requester": "person", "responsibility": "none"}),
    ("Barnevernet med ansvar", {"requester": "organisation", "responsibility": "holder"}),
    ("Barnet selv", {"requester": "child", "responsibility": "none"}),
)
# What clinicians have set for the item.
SITUATIONS: tuple[tuple[str, dict[str, str]], ...] = (
    ("ingenting", {}),
    ("unntak", {"exempted": "yes"}),
    ("nødvendig", {"necessary": "yes"}),
    ("samtykker, ikke informer", {"assessment": "consents-parents-not-informed"}),
    ("samtykker, informer", {"assessment": "consents-parents-informed"}),
    ("utenfor tilgang", {"profile": "excludes"}),
)
_BASE = {
    "requester": "person", "representation": "current", "protection": "none", "responsibility": "holder", "age": "0-11",
    "exempted": "no", "necessary": "no", "assessment": "none", "profile": "none",
}
CELL_W, CELL_H, LEFT, TOP = 92, 46, 70, 120
PERMIT, DENY = "#cfe8d5", "#f6d0d4"


def situation(age: str, requester: dict[str, str], setting: dict[str, str]) -> tuple[str, ...]:
    """The derived request of one cell (unknown dimensions of a richer vocabulary keep their first value)."""
    values = {**_BASE, **requester, **setting, "age": age}
    return tuple(values.get(name, "") for name in DIMENSION_NAMES)


def _wrap(text: str, width: int = 13) -> list[str]:
    lines, line = [], ""
    for word in text.replace("-", "- ").split():
        candidate = f"{line}{word}" if line.endswith("-") else (f"{line} {word}" if line else word)
        if len(candidate) > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + [line] if line else lines


def matrix_svg(policy: Policy) -> str:
    """The policy's decision matrix as a standalone SVG document."""
    columns = [(who, setting_label, requester, setting) for who, requester in REQUESTERS for setting_label, setting in SITUATIONS]
    width = LEFT + CELL_W * len(columns) + 10
    height = TOP + CELL_H * len(AGES) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="matrix-title matrix-desc" font-family="system-ui, sans-serif" font-size="10">',
        '<title id="matrix-title">Beslutningsmatrise: aldersgruppe × hvem spør × hva helsepersonell har satt</title>',
        '<desc id="matrix-desc">Hver celle viser regelen som avgjør; grønn med hake er innsyn, rød med kryss er ikke innsyn.</desc>',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for group, (who, _) in enumerate(REQUESTERS):
        x = LEFT + group * CELL_W * len(SITUATIONS)
        out.append(f'<rect x="{x}" y="4" width="{CELL_W * len(SITUATIONS) - 4}" height="22" fill="#004b8d" rx="3"/>')
        out.append(f'<text x="{x + 6}" y="19" fill="#fff" font-size="12" font-weight="bold">{escape(who)}</text>')
    for index, (_, label, _, _) in enumerate(columns):
        x = LEFT + index * CELL_W
        for line_no, line in enumerate(_wrap(label)):
            out.append(f'<text x="{x + 4}" y="{44 + line_no * 12}" fill="#1a1a1a">{escape(line)}</text>')
    out.append(f'<text x="4" y="{TOP - 8}" fill="#1a1a1a" font-weight="bold">Alder</text>')
    for row, age in enumerate(AGES):
        y = TOP + row * CELL_H
        out.append(f'<text x="6" y="{y + CELL_H / 2 + 4}" fill="#1a1a1a" font-size="12" font-weight="bold">{age}</text>')
        for index, (_, _, requester, setting) in enumerate(columns):
            x = LEFT + index * CELL_W
            outcome = policy.evaluate(situation(age, requester, setting))
            fill, mark = (PERMIT, "✓") if outcome.permit else (DENY, "✗")
            out.append(
                f'<g><title>{escape(age)}: {escape(outcome.rule)} ({"innsyn" if outcome.permit else "ikke innsyn"})</title>'
                f'<rect x="{x}" y="{y}" width="{CELL_W - 3}" height="{CELL_H - 3}" fill="{fill}" stroke="#767676"/>'
                f'<text x="{x + 4}" y="{y + 14}" font-size="13" fill="#1a1a1a">{mark}</text>'
            )
            for line_no, line in enumerate(_wrap(outcome.rule, 14)[:2]):
                out.append(f'<text x="{x + 4}" y="{y + 27 + line_no * 11}" fill="#1a1a1a">{escape(line)}</text>')
            out.append("</g>")
    legend_y = TOP + CELL_H * len(AGES) + 22
    out.append(f'<rect x="{LEFT}" y="{legend_y - 11}" width="14" height="14" fill="{PERMIT}" stroke="#767676"/>')
    out.append(f'<text x="{LEFT + 20}" y="{legend_y}" fill="#1a1a1a">✓ innsyn (permit)</text>')
    out.append(f'<rect x="{LEFT + 140}" y="{legend_y - 11}" width="14" height="14" fill="{DENY}" stroke="#767676"/>')
    out.append(f'<text x="{LEFT + 160}" y="{legend_y}" fill="#1a1a1a">✗ ikke innsyn (deny) – gjeldende folkeregisterdata, ingen adressebeskyttelse</text>')
    out.append("</svg>")
    return "\n".join(out)
