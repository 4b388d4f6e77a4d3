"""Uploaded files go through Django's storage API to the backend the environment names
(liaison.storage): the filesystem by default, or an S3-compatible object store, tested here
against a real S3 server on 127.0.0.1 (moto in server mode)."""

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from liaison.storage import FILESYSTEM, default_storage
from testsupport.s3 import s3_server
from villagers.tests.conftest import photo

BUCKET = "liaison-media"


@pytest.fixture
def s3_env(monkeypatch, tmp_path):
    """MEDIA_STORAGE=s3 against a fresh S3 server with an empty private bucket."""
    with s3_server(tmp_path) as endpoint:
        variables = {
            "MEDIA_STORAGE": "s3",
            "MEDIA_S3_BUCKET": BUCKET,
            "MEDIA_S3_ENDPOINT_URL": endpoint,
            "MEDIA_S3_REGION": "cn-east-1",
            "MEDIA_S3_ACCESS_KEY_ID": "liaison-test",
            "MEDIA_S3_SECRET_ACCESS_KEY": "liaison-test-secret",
            "MEDIA_S3_ADDRESSING_STYLE": "path",
            "MEDIA_S3_PREFIX": "media/",
        }
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="cn-east-1",
            aws_access_key_id="liaison-test",
            aws_secret_access_key="liaison-test-secret",
        )
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-east-1"})
        yield client


def test_the_filesystem_is_the_default(monkeypatch):
    monkeypatch.delenv("MEDIA_STORAGE", raising=False)
    assert default_storage() == FILESYSTEM


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be filesystem or s3"),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_S3_BUCKET is required"),
        ({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "b", "MEDIA_S3_ADDRESSING_STYLE": "auto"}, "virtual or path"),
    ],
)
def test_a_bad_storage_configuration_stops_the_start_with_a_clear_message(monkeypatch, variables, message):
    monkeypatch.delenv("MEDIA_S3_BUCKET", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        default_storage()


@pytest.mark.django_db
def test_a_cases_photos_are_stored_in_the_bucket_served_from_it_and_never_on_disk(
    s3_env, settings, tmp_path, client, world
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": default_storage()}

    issue = world.submit(photos=[photo(), photo("second.jpg")])

    attachments = list(issue.attachments.order_by("pk"))
    assert len(attachments) == 2
    keys = {item["Key"] for item in s3_env.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {f"media/{attachment.image.name}" for attachment in attachments}
    stored = s3_env.get_object(Bucket=BUCKET, Key=f"media/{attachments[0].image.name}")["Body"].read()
    assert stored.startswith(b"\xff\xd8")  # the re-encoded JPEG
    response = client.get(reverse("public:submitter-photo", args=[issue.tracking_code, attachments[0].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert not (tmp_path / "media").exists()
    acl = s3_env.get_object_acl(Bucket=BUCKET, Key=f"media/{attachments[0].image.name}")
    public = "http://acs.amazonaws.com/groups/global/AllUsers"
    assert not any(grant["Grantee"].get("URI") == public for grant in acl["Grants"])
