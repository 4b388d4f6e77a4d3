"""The station directory (联络站名录): for a villager without a QR code. Thin: a selector, a page."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from liaison.ratelimit import client_ip, hit
from villagers.directory import station_directory
from villagers.errors import villager_page


@villager_page
@require_http_methods(["GET", "HEAD"])
def directory(request):
    hit("page_ip", client_ip(request))
    return render(request, "public/directory.html", {"townships": station_directory()})
