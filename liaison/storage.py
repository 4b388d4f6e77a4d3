"""Where uploaded files live (photos of cases and activities, deputies' portraits; voice notes
later): the STORAGES["default"] setting, from the environment.

- MEDIA_STORAGE=filesystem (the default): files under DJANGO_MEDIA_ROOT, as in `make run`.
- MEDIA_STORAGE=s3: an S3-compatible object store through django-storages (Aliyun OSS, MinIO,
  Ceph, Huawei OBS…), configured by the MEDIA_S3_* variables (README, "Configuration").

Everything reads and writes files through Django's storage API (`FieldFile.open`,
`storage.delete`), never through a path on disk, so either backend serves the same views. Files
stay private: the portal streams them through its own authorising views, so objects are stored
without a public ACL and no public URL is ever handed out."""

from django.core.exceptions import ImproperlyConfigured

from liaison.env import env_str

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def default_storage() -> dict:
    kind = env_str("MEDIA_STORAGE", "filesystem")
    if kind == "filesystem":
        return dict(FILESYSTEM)
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, not {kind!r}")
    bucket = env_str("MEDIA_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_S3_BUCKET is required when MEDIA_STORAGE=s3.")
    addressing = env_str("MEDIA_S3_ADDRESSING_STYLE", "virtual")
    if addressing not in ("virtual", "path"):
        raise ImproperlyConfigured(f"MEDIA_S3_ADDRESSING_STYLE must be virtual or path, not {addressing!r}")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": env_str("MEDIA_S3_REGION") or None,
        "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY") or None,
        # Aliyun OSS answers only virtual-hosted requests; MinIO is usually reached by path.
        "addressing_style": addressing,
        "signature_version": env_str("MEDIA_S3_SIGNATURE_VERSION", "s3v4"),
        "location": env_str("MEDIA_S3_PREFIX", "").strip("/"),
        "default_acl": None,  # the bucket's own (private): files go out through our views only
        "querystring_auth": True,
        "file_overwrite": False,  # two uploads named alike get two names, as on the filesystem
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
