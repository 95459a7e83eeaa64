"""Files uploaded through the API or imported from a URL."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.fields import OrderedJSONField
from tasks.row_reads import RowRead

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SCHEME = "scaledata://"


def upload_path(instance: UploadedFile, filename: str) -> str:
    return f"uploads/{instance.owner_id}/{instance.id}"


class UploadedFileManager(models.Manager["UploadedFile"]):
    def resolve(self, owner: User, is_test: bool, url: str) -> UploadedFile | None:
        """The file of `owner`'s account (live or test) that a scaledata:// URL names, or
        None (another account's, gone, or not a file id at all)."""
        owner_part, _, file_id = url[len(SCHEME):].partition("/")
        if owner_part != str(owner.pk):
            return None
        try:
            return _FILE_BY_ID.get(owner.pk, is_test, file_id)
        except Exception:  # a malformed uuid
            return None


class UploadedFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploaded_files"
    )
    is_test = models.BooleanField(default=False)
    file = models.FileField(upload_to=upload_path, max_length=300)
    display_name = models.CharField(max_length=300, blank=True, default="")
    mime_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="", db_index=True)
    project_names = models.JSONField(default=list, blank=True)
    reference_id = models.CharField(max_length=300, null=True, blank=True)  # noqa: DJ001 - NULL is "absent"
    metadata = OrderedJSONField(default=dict, blank=True)
    source_url = models.CharField(max_length=2048, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = UploadedFileManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "is_test", "reference_id"],
                condition=models.Q(reference_id__isnull=False),
                name="file_reference_id_unique_per_account",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.display_name or str(self.id)

    @property
    def attachment_url(self) -> str:
        return f"{SCHEME}{self.owner_id}/{self.id}"


# A create's attachment check reads this; its SQL written once (tasks/row_reads.py).
_FILE_BY_ID = RowRead(UploadedFile, ["owner", "is_test", "id"])
