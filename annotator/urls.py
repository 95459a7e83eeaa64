from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve

from tasks.health import healthz
from tasks.model_backends.media_view import assist_media


@staff_member_required
def staff_media(request, path: str):
    """Stored files for the admin's links; taskers and API keys have their own views."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


urlpatterns = [
    path("admin/stats/", include("tasks.admin_stats")),
    path("admin/quality/", include("tasks.admin_quality")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Single sign-on, when configured (docs/sso.md).
    *([path("oidc/", include("mozilla_django_oidc.urls"))]
      if settings.ANNOTATOR_OIDC_ENABLED else []),
    path("v1/", include("tasks.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("media/<path:path>", staff_media, name="staff-media"),
    # A task's image for a model backend, by a signed, expiring token (docs/assist.md).
    path("assist-media/<str:token>", assist_media, name="assist-media"),
    # Pages link the icon; the admin's pages and other clients ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("", include("tasks.workbench.urls")),
]
