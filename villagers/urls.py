"""The public URL namespace `public`: the villager's pages, and the staff's posters, QR images
and case photos. The two benchmark baselines exist only with LIAISON_BENCH_BASELINES=1."""

import os

from django.urls import path, register_converter

from villagers import directory_views, elder, metoo_views, results_views, staff, views, voice_views


class _QrFormat:
    regex = "png|svg"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(_QrFormat, "qrfmt")

urlpatterns = [
    path("", views.home, name="home"),
    path("mode/<str:mode>/", elder.switch, name="mode"),
    path("stations/", directory_views.directory, name="directory"),
    path("stations/<int:pk>/results/", results_views.wall, name="results"),
    path("t/<str:tracking_code>/take-down/", results_views.take_down, name="take-down"),
    path("d/<str:token>/", views.deputy, name="deputy"),
    path("d/<str:token>/photo/", views.deputy_photo, name="deputy-photo"),
    path("s/<str:token>/", views.station, name="station"),
    path("s/<str:token>/metoo/<int:call_id>/", metoo_views.second, name="metoo"),
    path("t/<str:tracking_code>/", views.track, name="track"),
    path("t/<str:tracking_code>/receipt/", views.receipt, name="receipt"),
    path("t/<str:tracking_code>/sms-stop/", views.sms_stop, name="sms-stop"),
    path("t/<str:tracking_code>/qr.png", views.tracking_qr, name="tracking-qr"),
    path("f/<str:token>/photos/<int:photo_id>.jpg", views.kept_photo, name="kept-photo"),
    path("t/<str:tracking_code>/photos/<int:attachment_id>/", views.submitter_photo, name="submitter-photo"),
    path("staff/photos/<int:attachment_id>/", staff.staff_photo, name="staff-photo"),
    path("t/<str:tracking_code>/voice/", voice_views.submitter_voice, name="submitter-voice"),
    path("f/<str:token>/voice/<int:voice_id>/", voice_views.kept_voice, name="kept-voice"),
    path("staff/voice/<int:issue_id>/", voice_views.staff_voice, name="staff-voice"),
    path("posters/deputy/<int:pk>/", staff.deputy_poster, name="deputy-poster"),
    path("posters/station/<int:pk>/", staff.station_poster, name="station-poster"),
    path("posters/station/<int:pk>/cards/", staff.station_cards, name="station-cards"),
    path("qr/deputy/<int:pk>.<qrfmt:fmt>", staff.deputy_qr, name="deputy-qr"),
    path("qr/station/<int:pk>.<qrfmt:fmt>", staff.station_qr, name="station-qr"),
]

if os.environ.get("LIAISON_BENCH_BASELINES") == "1":
    from villagers import bench_baselines

    urlpatterns += bench_baselines.urlpatterns
