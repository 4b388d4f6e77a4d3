"""Pages of cases at millions of rows, for the case list (issues.admin.listing) and the API
(api.pagination): nothing a page costs grows with the number of cases in scope.

- The count stops at a cap: `COUNT(*) FROM (… LIMIT cap + 1)`, never every row of a province.
  Past the cap, `capped` is true and the pages go one past the cap's last page, so that the
  next page is always reachable; a caller raises the cap to reach a later page it is asked for.
- A page is read in two steps: the page's ids first, from the list's filters and order alone
  (what the order indexes answer, without the rows' joins and per-row subqueries), then those
  rows with everything the page shows. In one query PostgreSQL computes each row's joins and
  subqueries for every row it skips before the page: page 500 of a township's list took 1.2 s
  at 1,000,000 cases, each of its 12,475 skipped rows paying for its seconding and merge counts.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` + 1 rows (in one query, without the list's order).
    `capped` says the real number is larger; the pages go one past the cap's last page."""

    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        return rows.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_display(self) -> str:
        return f"{self.cap:,}"

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)


def page_rows(rows, bottom: int, top: int) -> list:
    """Rows bottom..top of an ordered queryset: their ids first (a lean query the order's index
    answers), then the rows themselves with their joins and annotations, in the same order."""
    if (
        not isinstance(rows, QuerySet)
        or rows._iterable_class is not ModelIterable  # values(): no pk to put the rows back in order by
        or not rows.ordered
        or rows.query.distinct
    ):
        return list(rows[bottom:top])
    ids = list(rows.values_list("pk", flat=True)[bottom:top])
    if not ids:
        return []
    by_id = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]
