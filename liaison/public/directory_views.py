"""The station directory (联络站名录): for a villager without a QR code. Thin: a selector, a page."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from liaison.public.directory import station_directory
from liaison.public.errors import villager_page
from liaison.ratelimit import client_ip, hit


@villager_page
@require_http_methods(["GET", "HEAD"])
def directory(request):
    hit("page_ip", client_ip(request))
    return render(request, "public/directory.html", {"townships": station_directory()})
