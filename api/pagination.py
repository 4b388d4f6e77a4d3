"""The staff lists' pages (issue 18): counted up to a cap, never every case of a province."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from issues.pagination import COUNT_CAP, CappedPaginator


class Pagination(PageNumberPagination):
    """Pages of a staff list, counted up to a cap (issues.pagination): at millions of cases in
    scope, a full COUNT(*) would cost more than the page. `count` is exact up to COUNT_CAP; past
    it `count` is the cap and `count_capped` is true ("more than `count`"), and `next` still
    leads on; a page asked for past the cap raises the cap to reach it."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self._asked_page = request.query_params.get(self.page_query_param, "1")
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):
        asked = int(self._asked_page) if str(self._asked_page).isdigit() else 1
        return CappedPaginator(queryset, page_size, cap=max(COUNT_CAP, asked * page_size))

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": min(paginator.count, paginator.cap),
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = f"Exact up to {COUNT_CAP:,} (the cap); past it, the cap."
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "True when there are more than `count` results (the count stopped at its cap).",
        }
        schema["required"] = [*schema.get("required", []), "count_capped"]
        return schema
