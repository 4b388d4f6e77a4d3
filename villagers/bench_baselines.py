"""Two baselines for bench/villager_bench.py, served by the same server as the real pages so
that the benchmark can print ratios: a trivial view, and a bare form that inserts one row.

Mounted only when LIAISON_BENCH_BASELINES=1 (see villagers/urls.py): never in production.
The table is created by the benchmark script, not by a migration."""

from django import forms
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_http_methods

TABLE = "liaison_bench_row"

_FORM_PAGE = engines["django"].from_string(
    '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>bench</title>'
    '<form method="post">{% csrf_token %}<label for="c">c</label>'
    '<textarea id="c" name="content"></textarea><button>ok</button></form></html>'
)


class _BareForm(forms.Form):
    content = forms.CharField(max_length=2000)


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def bare_form(request):
    if request.method == "POST":
        form = _BareForm(request.POST)
        if form.is_valid():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (content, created_at) VALUES (%s, now())",  # noqa: S608
                    [form.cleaned_data["content"]],
                )
            response = HttpResponse(status=302)
            response["Location"] = "/bench/form/"
            return response
        return HttpResponse(b"invalid", status=400)
    get_token(request)
    return HttpResponse(_FORM_PAGE.render({}, request))


urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("bench/form/", bare_form, name="bench-form"),
]
