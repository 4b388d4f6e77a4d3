"""An uploaded roster file as a tablib Dataset: XLSX, or CSV in UTF-8 (with or without the BOM
Excel writes) or GBK/GB18030 (what Excel on a Chinese Windows saves). Every refusal says why,
in the user's language; nothing here touches the database."""

import tablib
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# A cell that a spreadsheet would run as a formula when the file is opened again.
FORMULA_STARTS = ("=", "@", "+", "-", "\t", "\r")


def is_formula(value) -> bool:
    """A text cell that starts like a formula. Phone numbers (+86…) and negative numbers are
    data, not formulas: only text with a letter or bracket after the sign counts."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    rest = value[1:].replace(" ", "")
    return not rest.replace("-", "").replace(".", "").isdigit()


def decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("The CSV file is neither UTF-8 nor GBK: save it again as “CSV UTF-8”."), field="file")


def check_upload(data: bytes, filename: str) -> str:
    """The checks that need no reading of the rows (size, kind of file): the lowercased name,
    or InvalidInput."""
    if not data:
        raise InvalidInput(_("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("The file is larger than 5 MB."), field="file")
    name = (filename or "").lower()
    if not name.endswith((".xlsx", ".csv")):
        raise InvalidInput(_("Upload the template as .xlsx or .csv."), field="file")
    return name


def read_dataset(
    data: bytes, filename: str, expected: list[str], required: list[str]
) -> tuple[tablib.Dataset, list[int]]:
    """The file as a Dataset with the template's columns (in any order, blank lines dropped) and
    the line of the file each row came from (the headings are line 1), or InvalidInput naming
    the problem: size, format, encoding, columns, rows."""
    name = check_upload(data, filename)
    try:
        if name.endswith(".xlsx"):
            dataset = tablib.Dataset().load(data, format="xlsx")
        else:
            dataset = tablib.Dataset().load(decode_csv(data), format="csv")
    except InvalidInput:
        raise
    except Exception as error:  # a damaged or disguised file: openpyxl and csv raise many kinds
        raise InvalidInput(
            _("The file could not be read as a spreadsheet.") + f" ({type(error).__name__})", field="file"
        ) from error
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    unknown = [h for h in headers if h and h not in expected]
    missing = [h for h in required if h not in headers]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("missing columns: %(c)s") % {"c": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(c)s") % {"c": "、".join(unknown)})
        raise InvalidInput(
            _("The columns do not match the template (%(details)s). Download the template and copy the rows into it.")
            % {"details": "; ".join(parts)},
            field="file",
        )
    dataset.headers = headers
    blank = [i for i, row in enumerate(dataset) if all(v is None or str(v).strip() == "" for v in row)]
    lines = [i + 2 for i in range(len(dataset)) if i not in set(blank)]
    for i in reversed(blank):
        del dataset[i]
    if len(dataset) == 0:
        raise InvalidInput(_("The file has no rows under its headings."), field="file")
    if len(dataset) > MAX_ROWS:
        raise InvalidInput(_("At most %(n)d rows per file: split it.") % {"n": MAX_ROWS}, field="file")
    return dataset, lines
