"""Reads of the roster imports: a job is its uploader's alone (anyone else gets a 404)."""

from rosters.models import ImportJob


def import_jobs_of(user):
    return ImportJob.objects.filter(requested_by=user)
