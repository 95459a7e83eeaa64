"""The site's URLs with single sign-on's, for in-process tests of tasks/sso.py (the real
annotator/urls.py adds them only when the environment configures sign-on)."""

from django.urls import include, path

from annotator.urls import urlpatterns as site

urlpatterns = [path("oidc/", include("mozilla_django_oidc.urls")), *site]
