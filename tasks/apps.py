from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Annotation tasks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tasks import (
            checks,  # noqa: F401 - registers the system checks
            lookups,
            signed_out,
        )

        lookups.register()
        signed_out.connect_signals()
