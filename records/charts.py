"""Charts of the reports as inline SVG: vector graphics that WeasyPrint draws itself, with no
script, no image file and nothing fetched."""

from django.utils.html import escape

FONT = "Noto Sans CJK SC, sans-serif"
BAR = "#2f6f9f"


def bar_chart(rows: list[tuple[str, int]], *, width: int = 480, row_height: int = 22, label_width: int = 150) -> str:
    """Horizontal bars, one per (label, value), the value written at the end of each bar. An
    empty list gives an empty string: the template says there is nothing to draw."""
    if not rows:
        return ""
    top = max(value for _label, value in rows) or 1
    room = width - label_width - 40
    height = row_height * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
    ]
    for i, (label, value) in enumerate(rows):
        y = i * row_height + 2
        bar = round(room * value / top)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row_height * 0.65:.1f}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar}" height="{row_height - 8}" fill="{BAR}"/>'
            f'<text x="{label_width + bar + 4}" y="{y + row_height * 0.65:.1f}">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(columns: list[tuple[str, int]], *, width: int = 480, height: int = 160) -> str:
    """Vertical columns (cases per month), labels under them, values above."""
    if not columns:
        return ""
    top = max(value for _label, value in columns) or 1
    step = (width - 20) / len(columns)
    room = height - 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">',
        f'<line x1="10" y1="{height - 20}" x2="{width - 10}" y2="{height - 20}" stroke="#888"/>',
    ]
    for i, (label, value) in enumerate(columns):
        x = 10 + i * step
        bar = round(room * value / top)
        y = height - 20 - bar
        middle = x + step / 2
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{y}" width="{step * 0.7:.1f}" height="{bar}" fill="{BAR}"/>'
            f'<text x="{middle:.1f}" y="{y - 3}" text-anchor="middle">{value}</text>'
            f'<text x="{middle:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
